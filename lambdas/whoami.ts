import { errorResponse, HttpEvent, HttpResponse, jsonResponse } from "./http";

/** The IAM caller API Gateway authenticated, as it saw it. */
export interface CallerIdentity {
    readonly accountId: string;
    readonly userArn: string;
    readonly callerId: string | null;
    readonly principalOrgId: string | null;
}

export function callerOf(event: HttpEvent): CallerIdentity | undefined {
    const iam = event.requestContext?.authorizer?.iam;
    if (!iam?.userArn || !iam.accountId) {
        return undefined;
    }
    return { accountId: iam.accountId, userArn: iam.userArn, callerId: iam.callerId ?? null, principalOrgId: iam.principalOrgId ?? null };
}

/** `GET /whoami`: echoes the caller's IAM identity (used by the post-deploy smoke checks). */
export function createWhoamiHandler() {
    return async function handler(event: HttpEvent): Promise<HttpResponse> {
        const caller = callerOf(event);
        if (!caller) {
            // Only reachable if the route lost its IAM authorization: refuse rather than guess.
            return errorResponse(403, "not_signed", "This route needs a SigV4-signed request.", event.requestContext?.requestId);
        }
        return jsonResponse(200, caller);
    };
}

/** Matches the session ARN of one role: `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
export function isSessionOfRole(userArn: string, accountId: string, roleName: string): boolean {
    const prefix = `arn:aws:sts::${accountId}:assumed-role/${roleName}/`;
    return userArn.startsWith(prefix) && userArn.length > prefix.length;
}

/**
 * `GET /admin`: IAM lets only the admin identity role (and the stage's caller role) invoke
 * it; the handler additionally serves only sessions of the admin identity role, so a
 * broadened IAM grant alone does not open it.
 */
export function createAdminHandler(settings: { readonly accountId: string; readonly adminRoleName: string }) {
    return async function handler(event: HttpEvent): Promise<HttpResponse> {
        const caller = callerOf(event);
        if (!caller || !isSessionOfRole(caller.userArn, settings.accountId, settings.adminRoleName)) {
            return errorResponse(403, "admin_only", "This route is for administrators.", event.requestContext?.requestId);
        }
        return jsonResponse(200, { status: "success", type: "admin", caller: caller.userArn });
    };
}
