/**
 * Kubernetes manifests as a cluster would receive them, checked offline: rendered by `kubectl
 * kustomize`, then validated against the Kubernetes 1.33 API schemas twice over. kubernetes-models
 * (4.5.x: validators generated from Kubernetes' own OpenAPI document) checks types, required fields,
 * enums and formats; the OpenAPI schemas accept unknown fields, as the API server's lenient decoding
 * does, so the same package's TypeScript types are also compiled against the manifests, and the
 * compiler's excess-property check rejects an unknown or misspelt field as `kubectl --validate=strict`
 * would (kubeconform, which does both, is neither on npm nor in Debian).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [field: string]: unknown };
  [field: string]: unknown;
}

const KUBECTL_HINT = 'kubectl was not found on PATH: the Kubernetes suite renders the Kustomize overlays with `kubectl kustomize` (install kubectl, e.g. Debian/Ubuntu: the kubectl package of Kubernetes\' or Google Cloud\'s apt repository)';

/** `kubectl kustomize DIR`, parsed: what `kubectl apply -k DIR` would send. */
export function renderKustomization(dir: string): Manifest[] {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (result.error) throw new Error(KUBECTL_HINT);
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout).map((document) => document.toJS() as Manifest);
}

/** The kubernetes-models module of a kind: apps/v1 Deployment → kubernetes-models/apps/v1/Deployment. */
function modelPath(manifest: Manifest): string {
  return `kubernetes-models/${manifest.apiVersion}/${manifest.kind}`;
}

const label = (manifest: Manifest) => `${manifest.kind}/${manifest.metadata.name}`;

/** Every way the manifests break the API schemas, one line each (empty when they validate). */
export async function schemaErrors(manifests: readonly Manifest[]): Promise<string[]> {
  const errors: string[] = [];
  const require = createRequire(join(ROOT, 'package.json'));
  for (const manifest of manifests) {
    let model: new (data: unknown) => { validate(): void };
    try {
      model = (require(modelPath(manifest)) as Record<string, new (data: unknown) => { validate(): void }>)[manifest.kind]!;
    } catch {
      errors.push(`${label(manifest)}: no schema for ${manifest.apiVersion} ${manifest.kind} in Kubernetes 1.33`);
      continue;
    }
    try {
      new model(manifest).validate();
    } catch (error) {
      errors.push(`${label(manifest)}: ${(error as Error).message}`);
    }
  }
  return [...errors, ...unknownFieldErrors(manifests.filter((manifest) => !errors.some((line) => line.startsWith(`${label(manifest)}: no schema`))))];
}

/** The compiler's excess-property errors for the manifests typed as their kinds' interfaces. */
function unknownFieldErrors(manifests: readonly Manifest[]): string[] {
  const file = join(ROOT, 'test', '.kubernetes-manifests.ts');
  const source = manifests
    .map((manifest, i) => `import type { I${manifest.kind} as T${i} } from '${modelPath(manifest)}';\nexport const m${i}: T${i} = ${JSON.stringify(manifest, null, 2)};\n`)
    .join('\n');
  const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, types: [] };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (path) => path === file || ts.sys.fileExists(path);
  host.readFile = (path) => (path === file ? source : readFile(path));
  host.getSourceFile = (path, language) => (path === file ? ts.createSourceFile(path, source, language) : getSourceFile(path, language));
  const program = ts.createProgram([file], options, host);
  const sourceFile = program.getSourceFile(file)!;
  return ts.getPreEmitDiagnostics(program, sourceFile).map((diagnostic) => {
    const at = diagnostic.start === undefined ? 0 : sourceFile.getLineAndCharacterOfPosition(diagnostic.start).line;
    // Which manifest: the last `export const mN` at or above the error.
    const index = source.split('\n').slice(0, at + 1).reduce((found, line) => /^export const m(\d+)/.exec(line)?.[1] ?? found, '?');
    const manifest = manifests[Number(index)];
    return `${manifest ? label(manifest) : 'manifests'}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
  });
}
