/**
 * A throwaway public-key infrastructure for the TLS suites and the bench, made with the openssl CLI:
 * a root CA, intermediates, and leaf certificates for given names — valid, expired, wildcard, client
 * — each as PEM text and as files. Issued through `openssl ca`, the one openssl command that can
 * back-date a certificate, so an expired one is really expired rather than waiting to expire.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Issued {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

export interface Authority extends Issued {
  name: string;
  /** The chain above a leaf this authority signs, up to (not including) the root: PEM. */
  chain: string;
}

export interface LeafOptions {
  /** DNS names; the first is the common name. */
  dns?: string[];
  ips?: string[];
  /** ECDSA P-256 (default) or RSA 2048. */
  keyType?: 'ec' | 'rsa';
  /** Valid from 2020-01-01 to 2020-01-02 instead of from now on. */
  expired?: boolean;
  /** A client certificate (extendedKeyUsage clientAuth) instead of a server one. */
  client?: boolean;
  days?: number;
}

const INSTALL_HINT = 'the TLS suites need the openssl command to make their certificates: install it (Debian/Ubuntu: `apt-get install openssl`; macOS: `brew install openssl`)';

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: 'pipe' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(INSTALL_HINT);
    throw new Error(`openssl ${args[0]} failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
  }
}

function newKey(dir: string, name: string, keyType: 'ec' | 'rsa'): string {
  const path = join(dir, `${name}.key`);
  openssl(keyType === 'ec' ? ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path] : ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path], dir);
  return path;
}

let serial = 1;

export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'gatehouse-pki-'));
  readonly root: Authority;

  constructor(name = 'Gatehouse Test Root CA') {
    const keyPath = newKey(this.dir, 'root', 'ec');
    const certPath = join(this.dir, 'root.pem');
    openssl(['req', '-x509', '-new', '-key', keyPath, '-subj', `/CN=${name}`, '-days', '30', '-sha256',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', certPath], this.dir);
    this.root = { name, cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath, keyPath, chain: '' };
  }

  /** An intermediate CA signed by `issuer` (the root by default). */
  intermediate(name: string, issuer: Authority = this.root): Authority {
    const issued = this.sign(issuer, name, ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'], 'ec', false, 30);
    return { ...issued, name, chain: issued.cert + issuer.chain };
  }

  /** A leaf certificate signed by `issuer`; `cert` holds the leaf followed by the issuer's chain. */
  leaf(options: LeafOptions, issuer: Authority = this.root): Issued {
    const dns = options.dns ?? [];
    const names = [...dns.map((n) => `DNS:${n}`), ...(options.ips ?? []).map((ip) => `IP:${ip}`)];
    const extensions = [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage=${options.client ? 'clientAuth' : 'serverAuth'}`,
      // Points nowhere reachable; scanners want a revocation source named (testssl rates none as HIGH).
      'crlDistributionPoints=URI:http://crl.gatehouse.test/root.crl',
      ...(names.length > 0 ? [`subjectAltName=${names.join(',')}`] : []),
    ];
    const issued = this.sign(issuer, dns[0] ?? options.ips?.[0] ?? 'client', extensions, options.keyType ?? 'ec', options.expired ?? false, options.days ?? 30);
    if (issuer.chain === '') return issued;
    const withChain = issued.cert + issuer.chain;
    writeFileSync(issued.certPath, withChain);
    return { ...issued, cert: withChain };
  }

  private sign(issuer: Authority, commonName: string, extensions: string[], keyType: 'ec' | 'rsa', expired: boolean, days: number): Issued {
    const id = `c${serial++}`;
    const keyPath = newKey(this.dir, id, keyType);
    const csr = join(this.dir, `${id}.csr`);
    openssl(['req', '-new', '-key', keyPath, '-subj', `/CN=${commonName}`, '-out', csr], this.dir);
    const config = join(this.dir, `${id}.cnf`);
    writeFileSync(config, [
      '[ca]', 'default_ca = ca_default',
      '[ca_default]', `dir = ${this.dir}`, `database = ${join(this.dir, `${id}.index`)}`, `new_certs_dir = ${this.dir}`,
      `serial = ${join(this.dir, `${id}.serial`)}`, 'default_md = sha256', 'policy = policy_any', 'unique_subject = no', 'copy_extensions = none',
      '[policy_any]', 'commonName = supplied',
      '[extensions]', ...extensions, '',
    ].join('\n'));
    writeFileSync(join(this.dir, `${id}.index`), '');
    // 16 random bytes, as public CAs use (scanners rate short serials as guessable); the top bit clear keeps it positive.
    writeFileSync(join(this.dir, `${id}.serial`), `${(randomBytes(1).readUInt8(0) & 0x7f).toString(16).padStart(2, '0')}${randomBytes(15).toString('hex')}\n`);
    const certPath = join(this.dir, `${id}.pem`);
    const validity = expired ? ['-startdate', '20200101000000Z', '-enddate', '20200102000000Z'] : ['-days', String(days)];
    openssl(['ca', '-batch', '-notext', '-config', config, '-extensions', 'extensions', '-cert', issuer.certPath, '-keyfile', issuer.keyPath, '-in', csr, '-out', certPath, ...validity], this.dir);
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath, keyPath };
  }
}
