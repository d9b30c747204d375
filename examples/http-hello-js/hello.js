// The JavaScript HTTP example: a wasi:http/proxy component built from this
// file by componentize-js (SpiderMonkey inside StarlingMonkey, see build.mjs).
// StarlingMonkey turns each call of wasi:http/incoming-handler.handle into a
// service-worker style `fetch` event, answered with a web-standard Response.

// Per instance. `compono serve` gives every request a fresh instance made from
// the pre-initialised snapshot, so every response says 1.
let handled = 0;

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));

async function handle(request) {
  handled += 1;
  const url = new URL(request.url);
  // An uncaught exception: compono serve answers 500 and logs the JS stack.
  if (url.pathname === '/throw') throw new Error('thrown by hello.js');
  const lines = [
    `hello from JavaScript, ${url.searchParams.get('name') ?? 'world'}`,
    `method: ${request.method}`,
    `path: ${url.pathname}`,
    `x-greeting: ${request.headers.get('x-greeting') ?? '-'}`,
    `requests handled by this instance: ${handled}`,
  ];
  if (request.method === 'POST') lines.push(`body: ${await request.text()}`);
  return new Response(lines.join('\n') + '\n', {
    status: url.pathname === '/missing' ? 404 : 200,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-handled-by': 'javascript' },
  });
}
