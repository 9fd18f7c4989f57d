// Loads a serialized handler archive's __index.js in this fresh process and invokes its
// `handler` with the events given as JSON on argv[3]; prints the responses as JSON.
"use strict";
const path = require("path");

async function main() {
    const started = process.hrtime.bigint();
    const { handler } = require(path.resolve(process.argv[2]));
    const loaded = process.hrtime.bigint();
    const events = JSON.parse(process.argv[3]);
    const responses = [];
    const timings = [];
    for (const event of events) {
        const t = process.hrtime.bigint();
        responses.push(await handler(event, {}));
        timings.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    // The handler logs to stdout too: the result is the last line.
    process.stdout.write(`\n${JSON.stringify({ responses, loadMs: Number(loaded - started) / 1e6, timings })}\n`);
}
main().catch((error) => {
    process.stderr.write(String(error && error.stack || error));
    process.exit(1);
});
