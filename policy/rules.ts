/**
 * CrossGuard rules for this design that general-purpose packs do not have. Each rule is a
 * plain object so tests call its validate function directly (no CLI).
 */
import type { PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";

type Statement = {
    Effect?: string;
    Principal?: "*" | Record<string, string | string[]>;
    Action?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
};

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The statements of a JSON policy property; undefined while the value is unknown (preview). */
function statementsOf(policy: unknown): Statement[] | undefined {
    if (typeof policy !== "string") {
        return typeof policy === "object" && policy !== null ? list((policy as { Statement?: Statement | Statement[] }).Statement) : undefined;
    }
    try {
        return list((JSON.parse(policy) as { Statement?: Statement | Statement[] }).Statement);
    } catch {
        return [];
    }
}

/** The stack of a resource, from its URN (`urn:pulumi:<stack>::<project>::…`). */
export function stackOf(urn: string): string {
    return urn.split(":")[2] ?? "";
}

const GITHUB_HOST = "token.actions.githubusercontent.com";
/** A pull request of one repository, named (`owner/name`) or by GitHub's immutable form (`owner@<id>/name@<id>`). */
const GITHUB_PULL_REQUEST_PATTERN = /^repo:[A-Za-z0-9-]+(@\d+)?\/[A-Za-z0-9._-]+(@\d+)?:pull_request:ref:refs\/pull\/\*\/merge$/;

export const routesRequireIam: ResourceValidationPolicy = {
    name: "http-api-routes-iam-authorized",
    description: "Every HTTP API route requires SigV4-signed requests (AWS_IAM authorization).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "aws:apigatewayv2/route:Route") return;
        if (args.props.authorizationType !== "AWS_IAM") {
            report(`route '${args.props.routeKey}' uses '${args.props.authorizationType ?? "NONE"}' authorization; every route must use AWS_IAM`);
        }
    },
};

export const identityPoolAuthenticatedOnly: ResourceValidationPolicy = {
    name: "identity-pool-authenticated-only",
    description: "Identity pools hand out credentials to authenticated identities only, through the enhanced flow only.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "aws:cognito/identityPool:IdentityPool") return;
        if (args.props.allowUnauthenticatedIdentities !== false) report("allowUnauthenticatedIdentities must be false");
        if (args.props.allowClassicFlow === true) report("allowClassicFlow (the basic flow) must be off");
    },
};

export const webIdentityTrustPinned: ResourceValidationPolicy = {
    name: "web-identity-trust-pinned",
    description: "Roles assumable with a web identity pin the audience (and, for GitHub, the subject: exact, or open only in a pull request's number).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "aws:iam/role:Role") return;
        for (const statement of statementsOf(args.props.assumeRolePolicy) ?? []) {
            if (statement.Effect !== "Allow" || !list(statement.Action).includes("sts:AssumeRoleWithWebIdentity")) continue;
            const equals = statement.Condition?.StringEquals ?? {};
            for (const federated of list(typeof statement.Principal === "object" ? statement.Principal.Federated : undefined)) {
                if (federated === "cognito-identity.amazonaws.com") {
                    if (!equals["cognito-identity.amazonaws.com:aud"]) report("identity-pool trust must pin cognito-identity.amazonaws.com:aud with StringEquals");
                    const amr = statement.Condition?.["ForAnyValue:StringLike"]?.["cognito-identity.amazonaws.com:amr"];
                    if (!list(amr).includes("authenticated")) report("identity-pool trust must require amr 'authenticated'");
                    continue;
                }
                const host = /:oidc-provider\/(.+)$/.exec(federated)?.[1];
                if (!host) {
                    report(`web identity trust names '${federated}', which is not an IAM OIDC provider`);
                    continue;
                }
                if (!equals[`${host}:aud`]) report(`trust in ${host} must pin ${host}:aud with StringEquals`);
                if (host === GITHUB_HOST) {
                    const subjects = list(equals[`${host}:sub`]);
                    const patterns = list(statement.Condition?.StringLike?.[`${host}:sub`]);
                    if (subjects.length === 0 && patterns.length === 0) report(`GitHub trust must pin ${host}:sub`);
                    if (subjects.some((s) => /[*?]/.test(s))) report(`GitHub trust must name exact subjects, got ${subjects.join(", ")}`);
                    // A pattern may leave open the pull request number, and nothing else.
                    const loose = patterns.filter((p) => !GITHUB_PULL_REQUEST_PATTERN.test(p));
                    if (loose.length > 0) report(`GitHub trust may match only a pull request number with StringLike, got ${loose.join(", ")}`);
                }
            }
        }
    },
};

export interface CrossAccountConfig {
    /** Require `sts:ExternalId` on every cross-account trust (set when the stage configures one). */
    readonly requireExternalId?: boolean;
}

export const crossAccountTrustNamesRole: ResourceValidationPolicy = {
    name: "cross-account-trust-names-a-role",
    description: "AWS principals in trust policies are role ARNs (never '*', an account root or a bare account id).",
    enforcementLevel: "mandatory",
    configSchema: { properties: { requireExternalId: { type: "boolean", default: false } } },
    validateResource: (args, report) => {
        if (args.type !== "aws:iam/role:Role") return;
        const { requireExternalId } = args.getConfig<CrossAccountConfig>();
        for (const statement of statementsOf(args.props.assumeRolePolicy) ?? []) {
            if (statement.Effect !== "Allow") continue;
            if (statement.Principal === "*") {
                report("trust policy allows Principal '*'");
                continue;
            }
            const principals = list(typeof statement.Principal === "object" ? statement.Principal.AWS : undefined);
            for (const principal of principals) {
                if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(principal) || principal.includes("*")) {
                    report(`trust principal '${principal}' must be one role's ARN, not '*', ':root' or an account`);
                }
            }
            if (principals.length > 0 && requireExternalId && !statement.Condition?.StringEquals?.["sts:ExternalId"]) {
                report("cross-account trust must require sts:ExternalId");
            }
        }
    },
};

/** Resources of `type` that reference `target` through `property` (by dependency or by id). */
function referencing(resources: PolicyResource[], type: string, property: string, target: PolicyResource): PolicyResource[] {
    const ids = [target.props.id, target.props.bucket].filter((v) => typeof v === "string" && v !== "");
    return resources.filter(
        (r) =>
            r.type === type &&
            ((r.propertyDependencies?.[property] ?? []).some((d) => d.urn === target.urn) || ids.includes(r.props[property])),
    );
}

export const bucketsPrivateEncryptedTlsOnly: StackValidationPolicy = {
    name: "buckets-private-encrypted-tls-only",
    description: "Every bucket blocks public access, enforces bucket-owner ownership, is encrypted and refuses plain HTTP.",
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        for (const bucket of args.resources.filter((r) => r.type === "aws:s3/bucket:Bucket")) {
            const blocks = referencing(args.resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bucket", bucket);
            const fullBlock = blocks.some((b) => ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) => b.props[k] === true));
            if (!fullBlock) report(`bucket '${bucket.name}' lacks a public access block with all four settings on`, bucket.urn);
            const ownership = referencing(args.resources, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "bucket", bucket);
            if (!ownership.some((o) => o.props.rule?.objectOwnership === "BucketOwnerEnforced")) report(`bucket '${bucket.name}' must enforce bucket-owner ownership (ACLs off)`, bucket.urn);
            const encryption = referencing(args.resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "bucket", bucket);
            if (encryption.length === 0) report(`bucket '${bucket.name}' has no default encryption`, bucket.urn);
            const policies = referencing(args.resources, "aws:s3/bucketPolicy:BucketPolicy", "bucket", bucket);
            const tlsOnly = policies.some((p) =>
                (statementsOf(p.props.policy) ?? []).some(
                    (s) => s.Effect === "Deny" && list(s.Action).some((a) => a === "s3:*") && list(s.Condition?.Bool?.["aws:SecureTransport"]).includes("false"),
                ),
            );
            if (!tlsOnly) report(`bucket '${bucket.name}' has no policy denying requests without TLS`, bucket.urn);
        }
    },
};

const BROAD_MANAGED_POLICY = /:policy\/(.*FullAccess.*|PowerUserAccess|AdministratorAccess|AmazonCognitoPowerUser)$/;

export const lambdaExplicitRole: StackValidationPolicy = {
    name: "lambda-explicit-least-privilege-role",
    description: "Every Lambda has its own role, with no broad AWS managed policy attached (CallbackFunction's default).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const functions = args.resources.filter((r) => r.type === "aws:lambda/function:Function");
        const roles = new Map(args.resources.filter((r) => r.type === "aws:iam/role:Role").map((r) => [r.props.arn, r]));
        for (const fn of functions) {
            if (!fn.props.role) {
                report(`function '${fn.name}' has no role`, fn.urn);
                continue;
            }
            const role = roles.get(fn.props.role) ?? (fn.propertyDependencies?.role ?? [])[0];
            const attachments = args.resources.filter(
                (r) =>
                    r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" &&
                    (r.props.role === role?.props.name || (r.propertyDependencies?.role ?? []).some((d) => d.urn === role?.urn)),
            );
            for (const attachment of attachments.filter((a) => BROAD_MANAGED_POLICY.test(String(a.props.policyArn)))) {
                report(`function '${fn.name}' role has the broad managed policy ${attachment.props.policyArn}`, fn.urn);
            }
        }
    },
};

export interface ProtectedStacksConfig {
    readonly protectedStacks?: string[];
}

export const prodDataProtected: ResourceValidationPolicy = {
    name: "prod-data-protected",
    description: "In protected stacks, the user pool has deletion protection and buckets are protected and not force-destroyable.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { protectedStacks: { type: "array", items: { type: "string" }, default: ["prod"] } } },
    validateResource: (args: ResourceValidationArgs, report) => {
        const { protectedStacks = ["prod"] } = args.getConfig<ProtectedStacksConfig>();
        if (!protectedStacks.includes(stackOf(args.urn))) return;
        if (args.type === "aws:cognito/userPool:UserPool") {
            if (args.props.deletionProtection !== "ACTIVE") report("user pool must have deletionProtection ACTIVE");
            if (!args.opts.protect) report("user pool must be protected (protect: true)");
        }
        if (args.type === "aws:s3/bucket:Bucket") {
            if (args.props.forceDestroy === true) report("bucket must not be force-destroyable");
            if (!args.opts.protect) report("bucket must be protected (protect: true)");
        }
    },
};

export interface BoundedRolesConfig {
    /** IAM path segment of the roles an administrator manages (the CI roles), which need no boundary. @default "-ci/" */
    readonly administeredPathMarker?: string;
}

export const workloadRolesBounded: ResourceValidationPolicy = {
    name: "workload-roles-bounded",
    description: "Every role a stage runs as carries a permissions boundary (the CI roles, managed by an administrator, excepted).",
    enforcementLevel: "mandatory",
    configSchema: { properties: { administeredPathMarker: { type: "string", default: "-ci/" } } },
    validateResource: (args, report) => {
        if (args.type !== "aws:iam/role:Role") return;
        const { administeredPathMarker = "-ci/" } = args.getConfig<BoundedRolesConfig>();
        const path = String(args.props.path ?? "/");
        if (path.includes(administeredPathMarker)) return;
        if (!args.props.permissionsBoundary) {
            report(`role '${args.props.name ?? args.name}' has no permissions boundary`);
        }
    },
};

export const RULES = [
    routesRequireIam,
    identityPoolAuthenticatedOnly,
    webIdentityTrustPinned,
    crossAccountTrustNamesRole,
    bucketsPrivateEncryptedTlsOnly,
    lambdaExplicitRole,
    prodDataProtected,
    workloadRolesBounded,
];
