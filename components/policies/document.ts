/**
 * An IAM policy document as plain data: the types every builder returns, and the one way a
 * document becomes the text of a role's inline policy.
 */
export type Condition = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    readonly Principal?: "*" | Record<string, string | string[]>;
    readonly Action?: string | string[];
    /** Every action but these (only with Deny here: an Allow with NotAction grants too much). */
    readonly NotAction?: string | string[];
    readonly Resource?: string | string[];
    readonly Condition?: Condition;
}

export interface PolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: PolicyStatement[];
}

export function policy(...statements: PolicyStatement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: statements };
}

/**
 * IAM's quota on the inline policies of one role together, in characters without whitespace (IAM
 * User Guide, "IAM and AWS STS quotas"; not verifiable offline). The CI deploy role's policy
 * comes within a few hundred characters of it with this project's names.
 */
export const ROLE_INLINE_POLICY_QUOTA = 10_240;

/** A role's inline policy as IAM receives it, refused here, with the reason, when IAM would refuse it. */
export function inlinePolicyText(doc: PolicyDocument, what: string): string {
    const text = JSON.stringify(doc);
    if (text.length > ROLE_INLINE_POLICY_QUOTA) {
        throw new Error(
            `${what}: the policy is ${text.length} characters, over IAM's ${ROLE_INLINE_POLICY_QUOTA}-character quota for a role's inline policies; shorter project and stage names shorten it`,
        );
    }
    return text;
}
