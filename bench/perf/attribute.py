#!/usr/bin/env python3
"""Attribute `perf script -F tid,ip,sym,dso` samples of a Node process to components.

Self: each sample goes to the component of its leaf-most JavaScript frame (native V8, libc and kernel
frames belong to the JavaScript that called them); samples in the garbage collector (any thread) go to
GC; samples with no JavaScript frame to "native". Inclusive: share of samples with a frame of the
component anywhere on the stack.
usage: attribute.py script.txt [requests] [--top N] [--main-thread]   (shares of busy samples; the CPU per request
comes from /proc, printed by bench/perf-probe.ts: multiply)
"""
import re
import sys
from collections import Counter

RULES = [
    ('async context (AsyncLocalStorage, promise hooks)', r'node:internal/async_hooks|async_local_storage|node:async_hooks'),
    ('request logging (pino, request logger)', r'/pino|request-logger|logger-options|error-serializer|sonic-boom|nestjs-pino'),
    ('validation (class-validator/transformer, pipes)', r'class-validator|class-transformer|validation\.pipe|/validator/|dto'),
    ('metrics', r'prom-client|/metrics/'),
    ('auth, throttle, request id', r'/auth|guard|throttl|request-id|correlation'),
    ('body parsing', r'body-parser|raw-body|/iconv|json-depth|content-type|type-is|media-typer'),
    ('event store', r'/event-store/|better-sqlite3/lib'),
    ('projection (read models)', r'/read-models/|projection|subscription'),
    ('crypto (cipher, data keys)', r'/crypto/|node:internal/crypto'),
    ('use case (handler, decider, presenter)', r'/application/|/domain/|@nestjs/cqrs'),
    ('controller, filters, interceptors', r'/interfaces/http/'),
    ('other app code', r'/work/main/dist/'),
    ('Express, router, Nest core', r'/express/|/router/|@nestjs/core|@nestjs/common|@nestjs/platform-express|finalhandler|send/|on-finished|path-to-regexp|/qs/|parseurl|rxjs|reflect-metadata|depd|/cookie'),
    ('Node HTTP, net, streams, timers', r'node:_http|node:http|node:net|node:internal/(streams|stream_base|timers|process/task_queues|http|url|querystring)|node:events|node:stream|node:internal/(fixed_queue|util)'),
    ('other JS', r'^JS:|^Builtin:'),
]
COMPILED = [(name, re.compile(rx)) for name, rx in RULES]
GC = re.compile(r'Scavenge|MarkCompact|ConcurrentMarking|Heap::|GCTracer|Sweeper|MinorMark|IncrementalMarking|Evacuat|MemoryAllocator|ArrayBufferSweeper')
IDLE = re.compile(r'epoll_wait|epoll_pwait')

def classify(frames):
    for f in frames:
        if f.startswith('JS:'):
            for name, rx in COMPILED:
                if rx.search(f):
                    return name
    return None

def main():
    path = sys.argv[1]
    requests = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 0
    self_c, incl_c, leafjs = Counter(), Counter(), Counter()
    total = 0
    samples = []
    tids = []
    cur = None
    with open(path, errors='replace') as fh:
        for line in fh:
            if not line.strip():
                if cur is not None:
                    samples.append(cur)
                cur = None
                continue
            # A sample's header (its thread id, right-aligned: it may start with spaces); frames start with a tab.
            if not line.startswith('\t'):
                cur = []
                cur_tid = line.split()[0] if line.split() else ''
                tids.append(cur_tid)
                continue
            parts = line.strip().split(' ', 1)
            if len(parts) < 2:
                continue
            sym = parts[1].rsplit(' (', 1)[0]
            cur.append(sym)
    if cur:
        samples.append(cur)
    if '--main-thread' in sys.argv:
        # The event loop's thread is the one with the most samples; GC helpers and workers are left out.
        main_tid = Counter(tids).most_common(1)[0][0]
        samples = [s for s, t in zip(samples, tids) if t == main_tid]
    for frames in samples:
        total += 1
        if frames and IDLE.search(' '.join(frames[:14])) and not any(f.startswith('JS:') for f in frames):
            self_c['idle (epoll wait)'] += 1
            continue
        if any(GC.search(f) for f in frames[:12]):
            self_c['V8 garbage collector'] += 1
            continue
        name = classify(frames)
        js = next((f for f in frames if f.startswith('JS:')), None)
        if js:
            leafjs[re.sub(r'^JS:[*~^+]?', '', js)] += 1
        self_c[name or 'native, outside JS (libuv, syscalls, compiler)'] += 1
        seen = set()
        for f in frames:
            if f.startswith('JS:'):
                for n, rx in COMPILED:
                    if rx.search(f):
                        seen.add(n)
                        break
        for n in seen:
            incl_c[n] += 1
    busy = total - self_c.get('idle (epoll wait)', 0)
    print(f'{total} samples, {busy} busy' + (f', {requests} requests' if requests else ''))
    print('| component | self share | inclusive share |')
    print('|---|---:|---:|')
    for n, c in self_c.most_common():
        row = f'| {n} | {100*c/busy:.1f} % | {100*incl_c.get(n,0)/busy:.1f} % |'
        print(row)
    if '--top' in sys.argv:
        k = int(sys.argv[sys.argv.index('--top') + 1])
        print('\nleaf-most JS frames:')
        for f, c in leafjs.most_common(k):
            print(f'{100*c/busy:5.1f} %  {f}')

main()
