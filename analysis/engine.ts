/**
 * The one door to the IAM policy engine (@cloud-copilot/iam-simulate, AGPL: tests and tools
 * only). Every question runs in Strict mode; a simulation the engine cannot validate
 * throws, so a typo in an action or ARN can never pass as "Denied".
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";

import { IDENTITY_ID_VARIABLE } from "../components/policies/workload";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface AccessQuestion {
    /** The caller: a role session ARN, or a federated provider (`cognito-identity.amazonaws.com`). */
    readonly principal: string;
    readonly action: string;
    readonly resource: string;
    /** Account owning the resource. @default the account in `resource`, else the principal's */
    readonly resourceAccount?: string;
    /** Policies of the caller's role. @default none */
    readonly identityPolicies?: readonly object[];
    /** Bucket policy, trust policy, … of the resource. @default none */
    readonly resourcePolicy?: object;
    /** Permissions boundary of the caller's role. @default none */
    readonly permissionBoundaries?: readonly object[];
    /** Request context keys. @default none */
    readonly context?: Record<string, string | string[]>;
    /**
     * The identity-pool identity id of the caller, substituted for
     * `${cognito-identity.amazonaws.com:sub}` in the policies' text: the engine drops that
     * key from S3 requests in Strict mode, so it would otherwise never match.
     */
    readonly identityId?: string;
    /**
     * The OIDC provider of an `sts:AssumeRoleWithWebIdentity` question, as its condition keys
     * name it (`token.actions.githubusercontent.com`, `cognito-idp.<region>.amazonaws.com/<poolId>`).
     * See `mapWebIdentityKeys`.
     */
    readonly webIdentityProvider?: string;
}

/**
 * The engine (0.1.173) knows the condition keys of a few web identity providers only;
 * keys of others, such as `token.actions.githubusercontent.com:sub` or
 * `cognito-idp.<region>.amazonaws.com/<poolId>:aud`, are dropped: Strict mode then denies
 * a correct token and Discovery mode allows a foreign one. So before simulating, the
 * provider's `aud` and `sub` are renamed, in the policy and the request alike, onto the
 * keys of a provider the engine does evaluate (`accounts.google.com:aud` / `:sub`). Both
 * sides are renamed identically, so the condition logic (operators, values, missing keys)
 * is unchanged; a claim key that has no mapping is refused rather than silently ignored.
 */
export const WEB_IDENTITY_KEY_MAP: Readonly<Record<string, string>> = {
    aud: "accounts.google.com:aud",
    sub: "accounts.google.com:sub",
};

export function mapWebIdentityKeys(
    provider: string,
    resourcePolicy: object | undefined,
    context: Record<string, string | string[]>,
): { resourcePolicy: object | undefined; context: Record<string, string | string[]> } {
    const prefix = `${provider}:`;
    const targets = Object.values(WEB_IDENTITY_KEY_MAP);
    const rename = (key: string): string => {
        if (targets.some((t) => t.toLowerCase() === key.toLowerCase())) {
            throw new Error(`mapWebIdentityKeys: '${key}' is already used; the mapping would merge two providers' claims`);
        }
        if (!key.toLowerCase().startsWith(prefix.toLowerCase())) {
            return key;
        }
        const claim = key.slice(prefix.length);
        const mapped = WEB_IDENTITY_KEY_MAP[claim];
        if (!mapped) {
            throw new Error(`mapWebIdentityKeys: no mapping for claim '${claim}' of ${provider}`);
        }
        return mapped;
    };
    const mapConditions = (statement: Record<string, any>) => {
        if (!statement.Condition) {
            return statement;
        }
        const condition: Record<string, Record<string, unknown>> = {};
        for (const [operator, keys] of Object.entries(statement.Condition as Record<string, Record<string, unknown>>)) {
            condition[operator] = Object.fromEntries(Object.entries(keys).map(([k, v]) => [rename(k), v]));
        }
        return { ...statement, Condition: condition };
    };
    const mappedPolicy = resourcePolicy
        ? {
              ...(resourcePolicy as Record<string, any>),
              Statement: ([] as Record<string, any>[]).concat((resourcePolicy as Record<string, any>).Statement).map(mapConditions),
          }
        : undefined;
    const mappedContext = Object.fromEntries(Object.entries(context).map(([k, v]) => [rename(k), v]));
    return { resourcePolicy: mappedPolicy, context: mappedContext };
}

function accountIn(arn: string): string | undefined {
    const account = arn.split(":")[4];
    return account && /^\d{12}$/.test(account) ? account : undefined;
}

function withIdentityId(policy: object, identityId: string | undefined): object {
    const text = JSON.stringify(policy);
    if (identityId === undefined) {
        return JSON.parse(text);
    }
    return JSON.parse(text.split(IDENTITY_ID_VARIABLE).join(identityId));
}

const decided = new Map<string, Promise<Decision>>();

/**
 * Decides one question. Decisions are pure functions of the question, so each distinct
 * question is simulated once per process.
 */
export function decide(question: AccessQuestion): Promise<Decision> {
    const key = JSON.stringify(question);
    let decision = decided.get(key);
    if (!decision) {
        decision = simulate(question);
        decided.set(key, decision);
    }
    return decision;
}

async function simulate(question: AccessQuestion): Promise<Decision> {
    const resourceAccount = question.resourceAccount ?? accountIn(question.resource) ?? accountIn(question.principal);
    if (!resourceAccount) {
        throw new Error(`decide: cannot tell the account owning ${question.resource}; pass resourceAccount`);
    }
    let resourcePolicy = question.resourcePolicy ? withIdentityId(question.resourcePolicy, question.identityId) : undefined;
    let context: Record<string, string | string[]> = { ...(question.context ?? {}) };
    if (question.webIdentityProvider !== undefined) {
        ({ resourcePolicy, context } = mapWebIdentityKeys(question.webIdentityProvider, resourcePolicy, context));
    }
    const result = await runSimulation(
        {
            request: {
                principal: question.principal,
                action: question.action,
                resource: { resource: question.resource, accountId: resourceAccount },
                contextVariables: context,
            },
            identityPolicies: (question.identityPolicies ?? []).map((policy, i) => ({
                name: `policy${i}`,
                policy: withIdentityId(policy, question.identityId),
            })),
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy,
            permissionBoundaryPolicies: question.permissionBoundaries?.map((policy, i) => ({
                name: `boundary${i}`,
                policy: withIdentityId(policy, question.identityId),
            })),
        },
        // Never Discovery: it reports unknown keys as satisfiable, so a deny would pass as allowed.
        { simulationMode: "Strict" },
    );
    if (result.resultType === "error") {
        throw new Error(`IAM simulation refused the question ${JSON.stringify(question)}: ${JSON.stringify(result.errors)}`);
    }
    return result.overallResult as Decision;
}

/** Session ARN of a role assumed under `sessionName`. */
export function sessionOf(roleArn: string, sessionName: string): string {
    const [, , , , account, resource] = roleArn.split(":");
    const roleName = resource.replace(/^role\//, "").split("/").pop();
    return `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
}
