/**
 * What the HTTPS listener offers, in one place: TLS 1.2 and 1.3 only; on 1.2 only ECDHE key exchange
 * with AEAD ciphers (Mozilla's "intermediate" list without DHE: nothing CBC, RC4, 3DES, static RSA or
 * export grade), the server's order, no client-initiated renegotiation; session resumption by tickets,
 * whose keys are made once per process so every certificate's contexts share them (OpenSSL decrypts
 * a ticket with the listener's first context, whichever certificate SNI picked).
 */
import { constants, randomBytes } from 'node:crypto';
import type { SecureContextOptions } from 'node:tls';

const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];
const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

/** Seconds a resumable session lives (Kong's ssl_session_timeout is one day; tickets stay shorter). */
export const SESSION_TIMEOUT_S = 3600;

/** Session-ticket keys of this process (48 bytes: name, HMAC and AES keys). */
const TICKET_KEYS = randomBytes(48);

/** Options every context of the HTTPS listener is made with, the certificate aside. */
export const TLS_POLICY: Readonly<SecureContextOptions & { honorCipherOrder: boolean }> = Object.freeze({
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.3',
  ciphers: [...TLS13_SUITES, ...TLS12_CIPHERS].join(':'),
  ecdhCurve: 'X25519:prime256v1:secp384r1',
  honorCipherOrder: true,
  secureOptions: constants.SSL_OP_NO_RENEGOTIATION | constants.SSL_OP_CIPHER_SERVER_PREFERENCE,
  sessionTimeout: SESSION_TIMEOUT_S,
  ticketKeys: TICKET_KEYS,
});
