/**
 * The one door to the IAM policy engine (@cloud-copilot/iam-simulate, AGPL: tests and tools
 * only). Every question runs in Strict mode; a simulation the engine cannot validate
 * throws, so a typo in an action or ARN can never pass as "Denied".
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";

import { IDENTITY_ID_VARIABLE } from "../../components/policies";

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
    /** Request context keys. @default none */
    readonly context?: Record<string, string | string[]>;
    /**
     * The identity-pool identity id of the caller, substituted for
     * `${cognito-identity.amazonaws.com:sub}` in the policies' text: the engine drops that
     * key from S3 requests in Strict mode, so it would otherwise never match.
     */
    readonly identityId?: string;
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

export async function decide(question: AccessQuestion): Promise<Decision> {
    const resourceAccount = question.resourceAccount ?? accountIn(question.resource) ?? accountIn(question.principal);
    if (!resourceAccount) {
        throw new Error(`decide: cannot tell the account owning ${question.resource}; pass resourceAccount`);
    }
    const result = await runSimulation(
        {
            request: {
                principal: question.principal,
                action: question.action,
                resource: { resource: question.resource, accountId: resourceAccount },
                contextVariables: { ...(question.context ?? {}) },
            },
            identityPolicies: (question.identityPolicies ?? []).map((policy, i) => ({
                name: `policy${i}`,
                policy: withIdentityId(policy, question.identityId),
            })),
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: question.resourcePolicy ? withIdentityId(question.resourcePolicy, question.identityId) : undefined,
        },
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
