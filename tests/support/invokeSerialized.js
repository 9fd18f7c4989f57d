// Loads a handler archive's __index.js in this fresh process and invokes its `handler` with
// the events given as JSON on argv[3]; with argv[4] > 0, then repeats the last event for that
// many seconds. Prints the responses, timings, warm rate and CPU time per warm request as JSON
// on the last line.
"use strict";
const path = require("path");

async function main() {
    const started = process.hrtime.bigint();
    const { handler } = require(path.resolve(process.argv[2]));
    const loaded = process.hrtime.bigint();
    const events = JSON.parse(process.argv[3]);
    const warmSeconds = Number(process.argv[4] || 0);
    const responses = [];
    const timings = [];
    for (const event of events) {
        const t = process.hrtime.bigint();
        responses.push(await handler(event, {}));
        timings.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    let warmRate;
    let warmCpuMs;
    if (warmSeconds > 0) {
        const event = events[events.length - 1];
        // Requests are logged to stdout by the handler; the warm run keeps them off the pipe.
        const write = process.stdout.write;
        process.stdout.write = () => true;
        // Unmeasured first: until the JIT has compiled the hot paths, a run measures the compiler.
        for (let i = 0; i < 200; i++) {
            await handler(event, {});
        }
        let count = 0;
        const cpu = process.cpuUsage();
        const deadline = Date.now() + warmSeconds * 1000;
        while (Date.now() < deadline) {
            const response = await handler(event, {});
            if (response.statusCode !== 200) {
                throw new Error(`warm run answered ${response.statusCode}`);
            }
            count++;
        }
        const used = process.cpuUsage(cpu);
        process.stdout.write = write;
        warmRate = count / warmSeconds;
        // CPU time, unlike the rate, hardly changes when other processes compete for the machine.
        warmCpuMs = (used.user + used.system) / 1000 / count;
    }
    process.stdout.write(`\n${JSON.stringify({ responses, loadMs: Number(loaded - started) / 1e6, timings, warmRate, warmCpuMs })}\n`);
}
main().catch((error) => {
    process.stderr.write(String((error && error.stack) || error));
    process.exit(1);
});
