/**
 * The normalized gateway config: what the declarative file becomes after validation — every entity
 * flat, with an id, defaults filled in and references resolved to ids. Routing, proxying and the
 * plugin pipeline read only this shape; the admin API serves it back in Kong's admin-API shape.
 */
import type { Healthchecks } from './healthcheck-schema.js';

/** A reference to another entity by id, as Kong's admin API renders it. */
export interface EntityRef {
  id: string;
}

export interface ServiceEntity {
  id: string;
  name?: string;
  protocol: 'http' | 'https' | 'grpc' | 'grpcs';
  /** HTTP version to the upstream; grpc/grpcs always use 2. */
  http_version?: '1.1' | '2';
  /** A hostname/IP, or the name of an upstream entity (then balanced over its targets). */
  host: string;
  port: number;
  /** Path prefix prepended to the proxied path; undefined means none. */
  path?: string;
  connect_timeout: number;
  read_timeout: number;
  write_timeout: number;
  retries: number;
  enabled: boolean;
  /** Verify the upstream's certificate (https services); on when unset. */
  tls_verify?: boolean;
  /** Most intermediate CA certificates allowed between the upstream's certificate and a trusted one. */
  tls_verify_depth?: number;
  /** Ids of ca_certificates entities: the only CAs trusted for this upstream when set. */
  ca_certificates?: string[];
  /** The certificate entity presented to the upstream (mutual TLS). */
  client_certificate?: EntityRef;
  tags?: string[];
}

export interface RouteEntity {
  id: string;
  name?: string;
  service: EntityRef | null;
  protocols: string[];
  methods?: string[];
  hosts?: string[];
  /** Plain prefixes, or regexes marked with a leading "~". */
  paths?: string[];
  headers?: Record<string, string[]>;
  regex_priority: number;
  strip_path: boolean;
  preserve_host: boolean;
  path_handling: 'v0' | 'v1';
  https_redirect_status_code: number;
  request_buffering: boolean;
  response_buffering: boolean;
  /** Accepted for Kong compatibility (TLS and stream routing). */
  snis?: string[];
  sources?: StreamEndpoint[];
  destinations?: StreamEndpoint[];
  tags?: string[];
}

/** An IP and/or port of a Kong stream route. */
export interface StreamEndpoint {
  ip?: string;
  port?: number;
}

export interface TargetEntity {
  id: string;
  /** host:port (port defaults to 8000 as in Kong). */
  target: string;
  weight: number;
  tags?: string[];
}

export type HashOn = 'none' | 'consumer' | 'ip' | 'header' | 'cookie' | 'path' | 'query_arg' | 'uri_capture';

export interface UpstreamEntity {
  id: string;
  name: string;
  algorithm: 'round-robin' | 'least-connections' | 'consistent-hashing';
  hash_on: HashOn;
  hash_fallback: HashOn;
  hash_on_header?: string;
  hash_fallback_header?: string;
  hash_on_cookie?: string;
  hash_on_cookie_path?: string;
  hash_on_query_arg?: string;
  hash_fallback_query_arg?: string;
  hash_on_uri_capture?: string;
  hash_fallback_uri_capture?: string;
  slots: number;
  /** Kong's healthchecks object, every default filled in. */
  healthchecks: Healthchecks;
  host_header?: string;
  use_srv_name?: boolean;
  targets: TargetEntity[];
  tags?: string[];
}

export interface KeyAuthCredential {
  id: string;
  key: string;
  tags?: string[];
}

export interface JwtSecret {
  id: string;
  key: string;
  algorithm: string;
  secret?: string;
  rsa_public_key?: string;
  tags?: string[];
}

export interface BasicAuthCredential {
  id: string;
  username: string;
  password: string;
  tags?: string[];
}

export interface AclGroup {
  id: string;
  group: string;
  tags?: string[];
}

export interface ConsumerEntity {
  id: string;
  username?: string;
  custom_id?: string;
  keyauth_credentials: KeyAuthCredential[];
  jwt_secrets: JwtSecret[];
  basicauth_credentials: BasicAuthCredential[];
  acls: AclGroup[];
  tags?: string[];
}

export interface PluginEntity {
  id: string;
  name: string;
  /** The plugin's config after its own schema parsed it (defaults filled). */
  config: Record<string, unknown>;
  enabled: boolean;
  service: EntityRef | null;
  route: EntityRef | null;
  consumer: EntityRef | null;
  protocols: string[];
  instance_name?: string;
  /** Kong's dynamic ordering, accepted as written; Gatehouse orders plugins by priority. */
  ordering?: Partial<Record<'before' | 'after', Record<string, string[]>>>;
  tags?: string[];
}

/** Kong's certificate entity: a PEM pair (and an alternate of another key type), inline or as files. */
export interface CertificateEntity {
  id: string;
  cert?: string;
  key?: string;
  cert_alt?: string;
  key_alt?: string;
  /** Gatehouse: files read by each instance instead of `cert`/`key`. */
  cert_path?: string;
  key_path?: string;
  tags?: string[];
}

/** A server name and the certificate served for it; `*.x`, `x.*` and `*` are wildcards. */
export interface SniEntity {
  id: string;
  name: string;
  certificate: EntityRef;
  tags?: string[];
}

/** A CA trusted to verify upstreams that name it in `ca_certificates`. */
export interface CaCertificateEntity {
  id: string;
  cert: string;
  cert_digest: string;
  tags?: string[];
}

/** The whole normalized config. Arrays keep declaration order, which routing ties depend on. */
export interface GatewayConfig {
  _format_version: string;
  services: ServiceEntity[];
  routes: RouteEntity[];
  upstreams: UpstreamEntity[];
  consumers: ConsumerEntity[];
  plugins: PluginEntity[];
  certificates: CertificateEntity[];
  snis: SniEntity[];
  ca_certificates: CaCertificateEntity[];
}

/** One validation problem: a dotted/indexed path into the input document and what is wrong there. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** `warnings`: what was accepted only after a change (Kong's deprecated shorthands, a missing `_format_version`). */
export type ValidationResult = { ok: true; config: GatewayConfig; warnings?: ConfigIssue[] } | { ok: false; issues: ConfigIssue[]; warnings?: ConfigIssue[] };
