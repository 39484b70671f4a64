/** Writes one chunk N times to a stream, waiting for 'drain' whenever it is full, then ends it: large bodies without holding them in memory. */
export interface ChunkSink {
  write(chunk: Buffer): boolean;
  once(event: 'drain', listener: () => void): unknown;
  end(): unknown;
}

export function writeChunks(sink: ChunkSink, chunk: Buffer, count: number): void {
  let left = count;
  const pump = (): void => {
    while (left > 0) {
      left--;
      if (!sink.write(chunk)) return void sink.once('drain', pump);
    }
    sink.end();
  };
  pump();
}
