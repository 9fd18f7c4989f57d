// The module itself, not a namespace copy: the patch must reach every caller of https.request.
import https = require("https");

/**
 * Runs `call` while every HTTPS connection's name lookup never answers, so a connection stays
 * pending until the caller's connection timeout ends it; returns how many connections were tried
 * and how long it took.
 */
export async function withUnansweredLookup(call: () => Promise<unknown>): Promise<{ attempts: number; ms: number }> {
    const original = https.request;
    let attempts = 0;
    (https as { request: unknown }).request = (options: https.RequestOptions, callback: never) => {
        attempts++;
        return original({ ...options, lookup: () => undefined }, callback);
    };
    const started = Date.now();
    try {
        await call();
    } finally {
        (https as { request: unknown }).request = original;
    }
    return { attempts, ms: Date.now() - started };
}
