/**
 * Reads the environment variables a handler is configured with, failing at container start
 * with one message naming every missing variable.
 */
export function requireEnv<K extends string>(names: readonly K[], env: NodeJS.ProcessEnv = process.env): Record<K, string> {
    const missing = names.filter((name) => !env[name]);
    if (missing.length > 0) {
        throw new Error(`Missing environment variable(s): ${missing.join(", ")}`);
    }
    const values = {} as Record<K, string>;
    for (const name of names) {
        values[name] = env[name] as string;
    }
    return values;
}
