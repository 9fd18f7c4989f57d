/**
 * The CI roles' rights checked against the program: for every resource a stack creates, each
 * call the provider makes to create, read, update, tag and (outside prod) delete it, on the ARN
 * that resource will have, is allowed to the stage's deploy role; each read is allowed to its
 * preview role; and no action is granted that no call needs. Administrator-managed resources
 * are read, never changed, by CI. Plain data in (a synthesized stack), plain data out (gaps).
 */
import { decide } from "./engine";
import { Call, PROVIDER_CALLS, ProviderCalls, SERVICE_SIDE_REQUIREMENTS } from "./providerActions";
import { SynthesizedResource, SynthesizedStack } from "./world";

export type Phase = "create" | "read" | "update" | "delete" | "tag";
const PHASES: readonly Phase[] = ["create", "read", "update", "delete", "tag"];

/** A resource CI reads but never changes, and why. */
export interface Administered {
    readonly what: string;
    readonly why: string;
    readonly matches: (r: SynthesizedResource, stack: SynthesizedStack) => boolean;
}

const ciPathOf = (stack: SynthesizedStack) => stack.resources.find((r) => r.type === "aws:iam/role:Role" && String(r.inputs.name).endsWith("-ci-deploy"))?.inputs.path as string | undefined;
const auditBucketsOf = (stack: SynthesizedStack) => [stack.outputs.auditLogBucket, stack.outputs.auditAccessLogBucket].filter((b): b is string => typeof b === "string");

/** What an administrator manages: docs/first-deploy.md lists the same (a test compares them). */
export const ADMINISTERED: readonly Administered[] = [
    {
        what: "the CI roles and their policies",
        why: "a pipeline that could edit its own role could give itself anything",
        matches: (r, stack) =>
            (r.type === "aws:iam/role:Role" && r.inputs.path === ciPathOf(stack)) ||
            ((r.type === "aws:iam/rolePolicy:RolePolicy" || r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment") && /-ci-(preview|deploy|smoke)$/.test(String(r.inputs.role))) ||
            (r.type === "aws:iam/policy:Policy" && r.inputs.path === ciPathOf(stack) && /-ci-(preview|deploy)-state$/.test(String(r.inputs.name))),
    },
    {
        what: "the permissions boundary",
        why: "every role the pipeline creates or changes must carry it; editing it would lift the limit",
        matches: (r) => r.type === "aws:iam/policy:Policy",
    },
    {
        what: "GitHub's OIDC provider",
        why: "every CI role of the account trusts it",
        matches: (r) => r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider" && String(r.inputs.url).includes("token.actions.githubusercontent.com"),
    },
    {
        what: "the CloudWatch Logs resource policy delivering the API's access logs",
        why: "logs:PutResourcePolicy names no resource: a pipeline holding it could rewrite every log delivery policy of the account, other stages' included",
        matches: (r) => r.type === "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
    },
    {
        what: "the identity pool's role mapping",
        why: "cognito-identity:SetIdentityPoolRoles applies to every identity pool of the account: IAM cannot limit it to this stage",
        matches: (r) => r.type === "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment",
    },
    {
        what: "the audit trail, its log bucket and the bucket recording who reads or deletes the logs",
        why: "the pipeline is one of the actors the trail records",
        matches: (r, stack) => r.type === "aws:cloudtrail/trail:Trail" || auditBucketsOf(stack).some((bucket) => r.id === bucket || r.inputs.bucket === bucket),
    },
];

/**
 * Calls the provider makes only under arguments this program never sets, each with the reason.
 * Every other call, conditional or not, must be allowed.
 */
export const NOT_MADE: Readonly<Record<string, string>> = {
    "aws:cognito/userPool:UserPool cognito-idp:AddCustomAttributes": "no schema attributes are declared",
    "aws:s3/bucket:Bucket s3:BypassGovernanceRetention": "no bucket has object lock",
    "aws:s3/bucket:Bucket s3:PutObjectLegalHold": "no bucket has object lock",
    "aws:iam/role:Role iam:AttachRolePolicy": "no managed policy is attached to a role",
    "aws:iam/role:Role iam:DetachRolePolicy": "no managed policy is attached to a role",
    "aws:iam/role:Role iam:DeleteRolePermissionsBoundary": "every workload role keeps its boundary (and CI may never remove one)",
    "aws:iam/role:Role iam:RemoveRoleFromInstanceProfile": "no role is in an instance profile",
    "aws:lambda/function:Function lambda:PutFunctionConcurrency": "no reserved concurrency is set",
    "aws:lambda/function:Function lambda:DeleteFunctionConcurrency": "no reserved concurrency is set",
    "aws:lambda/function:Function lambda:GetFunctionConcurrency": "the provider asks only with a qualifier, which this program never sets",
    "aws:lambda/function:Function lambda:PutFunctionCodeSigningConfig": "no code signing configuration is set",
    "aws:lambda/function:Function lambda:DeleteFunctionCodeSigningConfig": "no code signing configuration is set",
    "aws:lambda/function:Function lambda:PublishVersion": "functions are not published as versions",
    "aws:lambda/function:Function lambda:GetFunctionConfiguration": "asked only while publishing a version",
    "aws:cloudwatch/logGroup:LogGroup logs:DeleteRetentionPolicy": "every log group keeps a retention",
    "aws:cloudwatch/logGroup:LogGroup logs:AssociateKmsKey": "no log group uses a KMS key",
    "aws:cloudwatch/logGroup:LogGroup logs:DisassociateKmsKey": "no log group uses a KMS key",
    "aws:apigatewayv2/api:Api apigateway:PUT": "no OpenAPI body is imported",
    "aws:cloudtrail/trail:Trail cloudtrail:PutInsightSelectors": "no insight selectors are set",
    "aws:cloudtrail/trail:Trail cloudtrail:StopLogging": "logging is never switched off (and CI may never do it)",
};

/**
 * What API Gateway checks when a stage sends access logs to CloudWatch (AWS's HTTP API logging
 * documentation; the provider does not call these itself). DescribeLogGroups the provider calls.
 * Not logs:PutResourcePolicy, which that documentation lists too: the log delivery policy is the
 * administrator's (HttpApi.logDelivery), and CloudWatch Logs asks for the caller's right only to
 * create one where none exists (AWS-logs-infrastructure-CWL; that API Gateway asks no more of
 * the caller is not verified against AWS).
 */
const LOG_DELIVERY_ACTIONS = ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:DescribeResourcePolicies"];

/** Resource types holding data: CI deletes them outside prod only, and never in prod. */
export const DATA_TYPES: readonly string[] = [
    "aws:cognito/userPool:UserPool",
    "aws:cognito/identityPool:IdentityPool",
    // A group's memberships go with it.
    "aws:cognito/userGroup:UserGroup",
    "aws:s3/bucket:Bucket",
    "aws:cloudwatch/logGroup:LogGroup",
];

const READ_ACTION = /^[\w-]+:(List|Get|Describe)/;

/**
 * Whether the provider makes a call for a stack in `region` of the aws partition: calls it makes
 * only in other partitions (`not aws`) or only in one region (`region <name> only`) are left out
 * elsewhere. The region is the stack's `aws:region`, never one written here.
 */
export function madeHere(call: Pick<Call, "when">, region: string): boolean {
    const when = call.when ?? "";
    if (/\bnot aws\b/.test(when)) return false;
    const only = /\bregion ([a-z0-9-]+) only\b/.exec(when);
    return !only || only[1] === region;
}

/** ARN variables of a resource, as the provider's ARN templates name them. */
function variables(r: SynthesizedResource, stack: SynthesizedStack, account: string): Record<string, string | undefined> {
    const i = r.inputs;
    const roleNamed = (name: string) => stack.resources.find((x) => x.type === "aws:iam/role:Role" && x.inputs.name === name);
    const region = String(stack.outputs.region);
    const apiArn = (apiId: string) => `arn:aws:apigateway:${region}::/apis/${apiId}`;
    const common = { Region: region, Account: account };
    switch (r.type) {
        case "aws:cognito/userPool:UserPool":
            return { ...common, userPoolId: r.id };
        case "aws:cognito/userPoolClient:UserPoolClient":
        case "aws:cognito/userGroup:UserGroup":
            return { ...common, userPoolId: i.userPoolId };
        case "aws:cognito/identityPool:IdentityPool":
            return { ...common, identityPoolId: r.id };
        case "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment":
            return { ...common, identityPoolId: i.identityPoolId };
        case "aws:s3/bucket:Bucket":
            return { ...common, bucket: r.id };
        case "aws:iam/role:Role":
            return { ...common, path: i.path ?? "/", roleName: r.state.name };
        case "aws:iam/rolePolicy:RolePolicy":
        case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            return { ...common, path: roleNamed(i.role)?.inputs.path ?? "/", roleName: i.role };
        case "aws:iam/policy:Policy":
            return { ...common, path: i.path ?? "/", policyName: r.state.name };
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            return { ...common, urlWithoutScheme: String(i.url).replace(/^https:\/\//, "") };
        case "aws:lambda/function:Function":
            return { ...common, functionName: r.state.name };
        case "aws:lambda/permission:Permission":
            return { ...common, functionName: i.function };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { ...common, logGroupName: r.state.name };
        case "aws:apigatewayv2/api:Api":
            return { ...common, apiId: r.id, urlEncodedResourceArn: encodeURIComponent(apiArn(r.id)), resourceArn: apiArn(r.id) };
        case "aws:apigatewayv2/stage:Stage":
            return {
                ...common,
                apiId: i.apiId,
                stageName: i.name,
                routeKey: "GET /whoami",
                urlEncodedResourceArn: encodeURIComponent(`${apiArn(i.apiId)}/stages/${i.name}`),
                resourceArn: `${apiArn(i.apiId)}/stages/${i.name}`,
            };
        case "aws:apigatewayv2/integration:Integration":
            return { ...common, apiId: i.apiId, integrationId: r.id };
        case "aws:apigatewayv2/route:Route":
            return { ...common, apiId: i.apiId, routeId: r.id, requestParameterKey: "route.request.header.idToken" };
        case "aws:cloudtrail/trail:Trail":
            return { ...common, trailName: i.name };
        default:
            if (r.type.startsWith("aws:s3/bucket")) return { ...common, bucket: i.bucket };
            return common;
    }
}

function instantiate(template: string, vars: Record<string, string | undefined>): string {
    return template.replace(/\$\{(\w+)\}/g, (_, name: string) => {
        const value = vars[name];
        if (value === undefined) throw new Error(`ciRights: no value for \${${name}} in ${template}`);
        return value;
    });
}

/** The role a check asks about: its ARN and its policies. */
export interface CiRole {
    readonly arn: string;
    readonly policies: readonly object[];
}

export interface CiRightsInput {
    readonly stack: SynthesizedStack;
    readonly account: string;
    readonly deploy: CiRole;
    /** None for a stage pull requests do not preview (a production one). */
    readonly preview?: CiRole;
    /** Whether the deploy role may delete (not in prod). */
    readonly deletes: boolean;
    /** ARN of the boundary every workload role carries. */
    readonly boundaryArn: string;
}

const wildcard = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
const single = (actual: string | string[] | undefined, operator: string): string | undefined => {
    if (Array.isArray(actual)) throw new Error(`apiGatewayDecision: ${operator} compares one value, the request has several`);
    return actual;
};
const STRING_OPERATORS: Record<string, (values: string[], actual: string | string[] | undefined) => boolean> = {
    StringEquals: (values, actual) => {
        const value = single(actual, "StringEquals");
        return value !== undefined && values.includes(value);
    },
    StringNotEqualsIfExists: (values, actual) => {
        const value = single(actual, "StringNotEqualsIfExists");
        return value === undefined || !values.includes(value);
    },
    // Negated operators match a request without the key, as IAM's do.
    StringNotLike: (values, actual) => {
        const value = single(actual, "StringNotLike");
        return value === undefined || !values.some((v) => wildcard(v).test(value));
    },
    Null: (values, actual) => values.every((v) => (v === "true") === (actual === undefined)),
    // True when any value of the request differs from every listed value; false when the key is absent.
    "ForAnyValue:StringNotEquals": (values, actual) => ([] as string[]).concat(actual ?? []).some((value) => !values.includes(value)),
};

/**
 * API Gateway management actions, decided without the engine. The installed catalogue maps the
 * shared `apigateway:*` actions to REST API (V1) resource types only, so the engine refuses
 * questions on HTTP API (V2) paths. This evaluator applies the policies' statements as IAM
 * does for the only operators CI's API Gateway statements use (StringEquals,
 * StringNotEqualsIfExists, StringNotLike, Null, ForAnyValue:StringNotEquals), and refuses any
 * other, so it cannot silently misjudge a statement.
 */
export function apiGatewayDecision(policies: readonly object[], action: string, resource: string, context: Record<string, string | string[]>): "Allowed" | "Denied" {
    let allowed = false;
    for (const doc of policies) {
        for (const st of ([] as any[]).concat((doc as { Statement?: unknown }).Statement ?? [])) {
            const actions: string[] = [].concat(st.Action ?? []);
            const resources: string[] = [].concat(st.Resource ?? []);
            if (!actions.some((a) => wildcard(a).test(action)) || !resources.some((r) => wildcard(r).test(resource))) continue;
            let holds = true;
            for (const [operator, keys] of Object.entries((st.Condition ?? {}) as Record<string, Record<string, string | string[]>>)) {
                const test = STRING_OPERATORS[operator];
                if (!test) throw new Error(`apiGatewayDecision: operator ${operator} is not evaluated here`);
                for (const [key, values] of Object.entries(keys)) {
                    holds &&= test(([] as string[]).concat(values), context[key]);
                }
            }
            if (!holds) continue;
            if (st.Effect === "Deny") return "Denied";
            allowed = true;
        }
    }
    return allowed ? "Allowed" : "Denied";
}

async function allowed(role: CiRole, action: string, resource: string, context: Record<string, string | string[]>, account: string): Promise<boolean> {
    if (action.startsWith("apigateway:")) {
        return apiGatewayDecision(role.policies, action, resource, context) === "Allowed";
    }
    const decision = await decide({
        principal: `arn:aws:sts::${account}:assumed-role/${role.arn.split("/").pop()}/ci`,
        action,
        resource,
        resourceAccount: account,
        identityPolicies: role.policies,
        context,
    });
    return decision === "Allowed";
}

/**
 * Request context of one call: the stage's tags, the boundary, the passed-to service, the route
 * authorization.
 *
 * @param changed the inputs an update changes; the provider sends on an update only the fields
 *   that changed. @default none: an update that leaves every field the context depends on alone
 */
function contextOf(input: CiRightsInput, r: SynthesizedResource, phase: Phase, action: string, changed: readonly string[] = []): Record<string, string | string[]> {
    const tags: Record<string, string> = (r.inputs.tags as Record<string, string> | undefined) ?? (input.stack.resources.find((x) => x.type === "aws:cognito/userPool:UserPool")?.inputs.tags as Record<string, string>) ?? {};
    const context: Record<string, string | string[]> = { "aws:SecureTransport": "true", "aws:RequestedRegion": String(input.stack.outputs.region) };
    for (const [key, value] of Object.entries(tags)) {
        context[`aws:ResourceTag/${key}`] = value;
        if (phase === "create" || phase === "tag") {
            context[`aws:RequestTag/${key}`] = value;
        }
    }
    if (phase === "create" || phase === "tag") context["aws:TagKeys"] = Object.keys(tags);
    if (action.startsWith("iam:") && /Role(Policy|PermissionsBoundary)?$|AssumeRolePolicy|UpdateRole/.test(action) && action !== "iam:PassRole") {
        const role = r.type === "aws:iam/rolePolicy:RolePolicy" ? input.stack.resources.find((x) => x.type === "aws:iam/role:Role" && x.inputs.name === r.inputs.role) : r;
        if (role?.inputs.permissionsBoundary) context["iam:PermissionsBoundary"] = input.boundaryArn;
    }
    if (action === "iam:PassRole") context["iam:PassedToService"] = "lambda.amazonaws.com";
    // CreateRoute always names the type; UpdateRoute only when it changes (route.go, resourceRouteUpdate).
    if (r.type === "aws:apigatewayv2/route:Route" && (phase === "create" || (phase === "update" && changed.includes("authorizationType")))) {
        context["apigateway:Request/RouteAuthorizationType"] = [String(r.inputs.authorizationType)];
    }
    const logs = r.inputs.accessLogSettings as { destinationArn?: string } | undefined;
    if (r.type === "aws:apigatewayv2/stage:Stage" && logs?.destinationArn && (phase === "create" || (phase === "update" && changed.includes("accessLogSettings")))) {
        context["apigateway:Request/AccessLoggingDestination"] = logs.destinationArn;
    }
    if (action.startsWith("s3:")) delete context["aws:TagKeys"];
    return context;
}

/** What one stack's CI roles lack, and what they are granted beyond the provider's calls. */
export async function ciRightsGaps(
    input: CiRightsInput,
): Promise<{ missing: string[]; deletableData: string[]; administered: string[]; administeredWritable: string[]; inventory: string[] }> {
    const missing: string[] = [];
    const deletableData: string[] = [];
    const administeredWritable: string[] = [];
    const inventory = new Set<string>();
    const administeredSeen: string[] = [];
    const { stack, account } = input;
    for (const r of stack.resources.filter((x) => x.type.startsWith("aws:") && !x.type.startsWith("aws:index/"))) {
        const calls = PROVIDER_CALLS[r.type] as ProviderCalls | undefined;
        if (!calls) {
            missing.push(`${r.type} (${r.name}): no provider calls are known for this resource type: add them to analysis/providerActions.ts and the CI policies`);
            continue;
        }
        const administered = ADMINISTERED.find((a) => a.matches(r, stack));
        if (administered) administeredSeen.push(`${r.type} ${r.name}`);
        const vars = variables(r, stack, account);
        for (const phase of PHASES) {
            for (const call of calls[phase]) {
                if (!madeHere(call, String(stack.outputs.region)) || NOT_MADE[`${r.type} ${call.action}`]) continue;
                const resource = call.resource === "*" ? "*" : instantiate(call.resource, vars);
                const isRead = phase === "read" || (phase === "tag" && READ_ACTION.test(call.action));
                // An update is checked as the provider sends it when the field a condition reads is left alone,
                // and when every field changes.
                const contexts = phase === "update" ? [contextOf(input, r, phase, call.action), contextOf(input, r, phase, call.action, Object.keys(r.inputs))] : [contextOf(input, r, phase, call.action)];
                const context = contexts[0];
                const who: [string, CiRole][] = [];
                if (isRead) {
                    who.push(["deploy", input.deploy]);
                    // A bucket's refresh lists its keys (HeadBucket is authorized as s3:ListBucket): the preview role reads no data.
                    if (input.preview && !(call.action === "s3:ListBucket" && r.type === "aws:s3/bucket:Bucket")) who.push(["preview", input.preview]);
                } else if (!administered && (phase !== "delete" || input.deletes || !DATA_TYPES.includes(r.type))) {
                    who.push(["deploy", input.deploy]);
                } else if (administered) {
                    if (!READ_ACTION.test(call.action) && (await allowed(input.deploy, call.action, resource, context, account))) {
                        administeredWritable.push(`deploy may ${call.action} ${r.type} ${r.name} (${administered.what})`);
                    }
                } else if (phase === "delete" && DATA_TYPES.includes(r.type) && /:Delete/.test(call.action)) {
                    if (await allowed(input.deploy, call.action, resource, context, account)) {
                        deletableData.push(`deploy may ${call.action} ${r.type} ${r.name} (${resource}), which holds data`);
                    }
                }
                for (const [name, role] of who) {
                    inventory.add(`${name} ${call.action}`);
                    for (const asked of contexts) {
                        if (!(await allowed(role, call.action, resource, asked, account))) {
                            const unstated = contexts.length > 1 && asked === contexts[0] ? " (an update leaving the fields a condition reads alone)" : "";
                            missing.push(`${name} ${phase} ${r.type} ${r.name}: ${call.action} on ${resource}${unstated} (${call.source})`);
                            break;
                        }
                    }
                }
            }
        }
        // HTTP API access logging to CloudWatch: API Gateway checks the caller's log-delivery rights.
        if (r.type === "aws:apigatewayv2/stage:Stage" && r.inputs.accessLogSettings && !administered) {
            const logging = SERVICE_SIDE_REQUIREMENTS.find((c) => c.action === "logs:CreateLogDelivery") as Call;
            for (const action of LOG_DELIVERY_ACTIONS) {
                inventory.add(`deploy ${action}`);
                if (!(await allowed(input.deploy, action, "*", { "aws:RequestedRegion": String(stack.outputs.region) }, account))) {
                    missing.push(`deploy create aws:apigatewayv2/stage:Stage ${r.name}: ${action} on * (${logging.source})`);
                }
            }
        }
        // Calls AWS services check beyond the provider's own: Lambda's execution role is passed.
        if (r.type === "aws:lambda/function:Function" && !administered) {
            const passRole = SERVICE_SIDE_REQUIREMENTS.find((c) => c.action === "iam:PassRole" && c.when?.startsWith("lambda:")) as Call;
            inventory.add(`deploy ${passRole.action}`);
            const role = String(r.inputs.role);
            if (!(await allowed(input.deploy, "iam:PassRole", role, { "iam:PassedToService": "lambda.amazonaws.com" }, account))) {
                missing.push(`deploy create aws:lambda/function:Function ${r.name}: iam:PassRole on ${role} (${passRole.source})`);
            }
        }
    }
    return { missing, deletableData, administered: administeredSeen, administeredWritable, inventory: [...inventory].sort() };
}

/** Allow-statement actions of a role's policies (wildcards as written). */
export function grantedActions(policies: readonly object[]): string[] {
    const actions = new Set<string>();
    for (const doc of policies) {
        for (const st of ([] as any[]).concat((doc as { Statement?: unknown }).Statement ?? [])) {
            if (st.Effect === "Allow") [].concat(st.Action ?? []).forEach((a: string) => actions.add(a));
        }
    }
    return [...actions].sort();
}

/** The deploy role that applies a change, and the account it runs in. */
export interface ChangeApplier {
    readonly account: string;
    /** The stage's deploy role as deployed before the change; none: the stage has no CI roles yet. */
    readonly deploy?: CiRole;
    readonly boundaryArn: string;
}

/**
 * The calls the provider makes for one resource's change that `applier`'s deploy role may not
 * make: each `action on resource (phase)`. Empty: CI applies it.
 *
 * @param stack the stack the resource belongs to (the base's for a deletion).
 * @param phases the lifecycle phases the change runs (a replacement: delete, create, read, tag).
 * @param changed the inputs an update changes: the provider sends only those.
 */
export async function callsNeedingAdministrator(
    applier: ChangeApplier,
    stack: SynthesizedStack,
    r: SynthesizedResource,
    phases: readonly Phase[],
    changed: readonly string[],
): Promise<string[]> {
    const calls = PROVIDER_CALLS[r.type] as ProviderCalls | undefined;
    if (!calls) return [`(no provider calls are known for ${r.type}: add them to analysis/providerActions.ts)`];
    const input: CiRightsInput = { stack, account: applier.account, deploy: applier.deploy ?? { arn: "", policies: [] }, deletes: false, boundaryArn: applier.boundaryArn };
    const vars = variables(r, stack, applier.account);
    const denied: string[] = [];
    for (const phase of phases) {
        for (const call of calls[phase]) {
            if (!madeHere(call, String(stack.outputs.region)) || NOT_MADE[`${r.type} ${call.action}`]) continue;
            // Tags are written only when they change.
            if (phase === "tag" && !READ_ACTION.test(call.action) && !phases.includes("create") && !changed.includes("tags")) continue;
            const resource = call.resource === "*" ? "*" : instantiate(call.resource, vars);
            const line = `${call.action} on ${resource} (${phase})`;
            if (denied.includes(line)) continue;
            if (!applier.deploy || !(await allowed(applier.deploy, call.action, resource, contextOf(input, r, phase, call.action, changed), applier.account))) {
                denied.push(line);
            }
        }
    }
    // What the services check beyond the provider's own calls, as ciRightsGaps asks it.
    const creates = phases.includes("create");
    const region = { "aws:RequestedRegion": String(stack.outputs.region) };
    const extra: [string, string, Record<string, string>][] = [];
    if (r.type === "aws:apigatewayv2/stage:Stage" && r.inputs.accessLogSettings && (creates || changed.includes("accessLogSettings"))) {
        extra.push(...LOG_DELIVERY_ACTIONS.map((action): [string, string, Record<string, string>] => [action, "*", region]));
    }
    if (r.type === "aws:lambda/function:Function" && (creates || changed.includes("role"))) {
        extra.push(["iam:PassRole", String(r.inputs.role), { "iam:PassedToService": "lambda.amazonaws.com" }]);
    }
    for (const [action, resource, context] of extra) {
        if (!applier.deploy || !(await allowed(applier.deploy, action, resource, context, applier.account))) denied.push(`${action} on ${resource} (${creates ? "create" : "update"})`);
    }
    return denied;
}
