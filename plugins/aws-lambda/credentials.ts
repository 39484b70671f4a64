/**
 * Where the aws-lambda plugin's AWS credentials come from: the plugin's own aws_key/aws_secret, or
 * else the AWS SDK's default chain (environment, SSO, web identity, shared files, credential_process,
 * ECS container and EC2 instance roles), exactly as AWS's own SDKs find them. The chain is loaded on
 * first use and shared by every instance and config version of the process: it caches what it found
 * and refreshes temporary credentials before they expire.
 */
import type { AwsLambdaConfig } from './schema.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export type CredentialProvider = () => Promise<AwsCredentials>;

let sdkChain: Promise<CredentialProvider> | null = null;

/** The AWS SDK's default provider chain, one per process. */
function defaultChain(): Promise<CredentialProvider> {
  sdkChain ??= import('@aws-sdk/credential-provider-node').then(({ defaultProvider }) => defaultProvider());
  return sdkChain;
}

export function credentialsFor(config: AwsLambdaConfig): CredentialProvider {
  if (config.aws_key != null && config.aws_secret != null) {
    const fixed: AwsCredentials = { accessKeyId: config.aws_key, secretAccessKey: config.aws_secret };
    return () => Promise.resolve(fixed);
  }
  return async () => (await defaultChain())();
}
