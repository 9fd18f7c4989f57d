/**
 * Log retention, shared by the components that create log groups (HttpApi, HandlerFunction) and the
 * stack settings that choose it.
 */

/** CloudWatch Logs accepts only these retention periods, in days. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The retention a component was given, or its default; refuses one CloudWatch Logs does not accept. */
export function checkLogRetention(component: string, days: number | undefined, fallback = 30): number {
    const retention = days ?? fallback;
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(retention)) {
        throw new Error(`${component}: logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(", ")}, got '${retention}'`);
    }
    return retention;
}
