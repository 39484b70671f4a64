/**
 * The certificates the HTTPS listener can serve right now: those of the config version being served
 * (looked up at each handshake, so an admin write is used by the next handshake on every instance)
 * and, behind them, the GATEHOUSE_TLS_CERT/TLS_KEY pair read at start.
 */
import type { CertificateTable, ServedCertificate } from './certificate-table.js';

export class ServedCertificates {
  constructor(
    /** The served version's table (an empty one before any version is loaded). */
    private readonly table: () => CertificateTable,
    /** GATEHOUSE_TLS_CERT/TLS_KEY, or null. */
    private readonly fallback: ServedCertificate | null,
  ) {}

  /** For a client that sent this server name; null: refuse the handshake. */
  forName(servername: string): ServedCertificate | null {
    return this.table().find(servername) ?? this.fallback;
  }

  /** For a client that sent no server name (an address in the URL): the `*` SNI, else the fallback. */
  forNoName(): ServedCertificate | null {
    return this.table().catchAll ?? this.fallback;
  }

  /** Whether the HTTPS listener has anything to serve, so it should be listening. */
  get available(): boolean {
    return this.fallback !== null || this.table().size > 0;
  }
}
