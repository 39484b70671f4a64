import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Errors, GatewayError, GrpcStatus } from '../errors.js';
import { grpcMessage, grpcTimeoutMs, isGrpcRequest } from './grpc.js';

test('gRPC calls are told by their content type', () => {
  for (const type of ['application/grpc', 'application/grpc+proto', 'application/grpc+json', 'application/grpc;charset=utf-8']) assert.ok(isGrpcRequest({ 'content-type': type }), type);
  for (const type of [undefined, 'application/json', 'application/grpc-web', 'application/grpcx']) assert.ok(!isGrpcRequest({ 'content-type': type }), String(type));
});

test('grpc-timeout is read in every unit, and refused when malformed', () => {
  assert.equal(grpcTimeoutMs('1H'), 3_600_000);
  assert.equal(grpcTimeoutMs('2M'), 120_000);
  assert.equal(grpcTimeoutMs('3S'), 3000);
  assert.equal(grpcTimeoutMs('250m'), 250);
  assert.equal(grpcTimeoutMs('5000u'), 5);
  assert.equal(grpcTimeoutMs('7000000n'), 7);
  for (const bad of [undefined, '', 'S', '10', '10x', '-1S', '123456789S', '1.5S']) assert.equal(grpcTimeoutMs(bad), null, String(bad));
});

test('grpc-message percent-encodes what is not printable ASCII, and % itself', () => {
  assert.equal(grpcMessage('no Route matched with those values'), 'no Route matched with those values');
  assert.equal(grpcMessage('100% done'), '100%25 done');
  assert.equal(grpcMessage('\tline\r\n☺'), '%09line%0D%0A%E2%98%BA');
});

test("every error kind has the contract's gRPC status, and a configured HTTP status maps by gRPC's table", () => {
  assert.equal(new GatewayError(Errors.unauthorized).grpcStatus, GrpcStatus.UNAUTHENTICATED);
  assert.equal(new GatewayError(Errors.forbidden).grpcStatus, GrpcStatus.PERMISSION_DENIED);
  assert.equal(new GatewayError(Errors.rateLimited).grpcStatus, GrpcStatus.RESOURCE_EXHAUSTED);
  assert.equal(new GatewayError(Errors.noRoute).grpcStatus, GrpcStatus.UNIMPLEMENTED);
  assert.equal(new GatewayError(Errors.upstreamUnavailable).grpcStatus, GrpcStatus.UNAVAILABLE);
  assert.equal(new GatewayError(Errors.noHealthyUpstream).grpcStatus, GrpcStatus.UNAVAILABLE);
  assert.equal(new GatewayError(Errors.upstreamTimeout).grpcStatus, GrpcStatus.DEADLINE_EXCEEDED);
  // ip-restriction answering 401 instead of its 403.
  assert.equal(new GatewayError(Errors.forbidden, { status: 401 }).grpcStatus, GrpcStatus.UNAUTHENTICATED);
});
