import { requireEnv } from "./env";
import { createAdminHandler, createWhoamiHandler } from "./whoami";

/** `callbackFactory` of `GET /whoami`. */
export function whoamiCallbackFactory() {
    return createWhoamiHandler();
}

/** Environment variables the `GET /admin` function is deployed with. */
export const ADMIN_ENV = ["ACCOUNT_ID", "ADMIN_ROLE_NAME"] as const;

/** `callbackFactory` of `GET /admin`. */
export function adminCallbackFactory() {
    const env = requireEnv(ADMIN_ENV);
    return createAdminHandler({ accountId: env.ACCOUNT_ID, adminRoleName: env.ADMIN_ROLE_NAME });
}
