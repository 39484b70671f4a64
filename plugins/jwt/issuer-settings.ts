/**
 * Issuer mode's issuer and JWKS URI: as configured, or derived from a Cognito user pool (an explicit
 * `issuer` or `jwks_uri` overrides the derived one).
 */
import type { JwtConfig } from './schema.js';

export interface IssuerSettings {
  issuer: string;
  jwksUri: string;
}

export function cognitoIssuer(region: string, userPoolId: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

/** Null when the plugin runs in consumer mode only. */
export function issuerSettings(config: JwtConfig): IssuerSettings | null {
  if (config.cognito) {
    const derived = cognitoIssuer(config.cognito.region, config.cognito.user_pool_id);
    return { issuer: config.issuer ?? derived, jwksUri: config.jwks_uri ?? `${derived}/.well-known/jwks.json` };
  }
  if (config.jwks_uri !== undefined && config.issuer !== undefined) return { issuer: config.issuer, jwksUri: config.jwks_uri };
  return null;
}
