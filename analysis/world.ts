/**
 * The deployed world as plain data: the roles, policies, pools, providers, functions, buckets
 * and APIs that the program synthesizes for each stack, read from the resources it registers
 * (by type, never by a test's own copy). Every stack is placed in one account, the layout
 * where the most is reachable.
 */

/**
 * A token validity of the app client in minutes, read with its unit as Cognito reads it: the unit
 * defaults to hours, and a client that sets no validity gets tokens valid for one hour (the
 * CreateUserPoolClient reference of IdTokenValidity and TokenValidityUnits, as
 * @aws-sdk/client-cognito-identity-provider's model carries it).
 */
export function tokenMinutes(validity: number | undefined, unit: string | undefined): number {
    if (validity === undefined) return 60;
    const perUnit: Record<string, number> = { seconds: 1 / 60, minutes: 1, hours: 60, days: 1440 };
    const factor = perUnit[unit ?? "hours"];
    if (factor === undefined) throw new Error(`app client token validity unit '${unit}' is not one Cognito knows (seconds, minutes, hours, days)`);
    return validity * factor;
}

/** One resource as the program registered it (what tools/mockRun.ts records). */
export interface SynthesizedResource {
    readonly type: string;
    readonly name: string;
    readonly id: string;
    readonly inputs: Record<string, any>;
    readonly state: Record<string, any>;
}

/** One stack's synthesized program. */
export interface SynthesizedStack {
    readonly stack: string;
    readonly config: Record<string, string>;
    readonly outputs: Record<string, any>;
    readonly resources: readonly SynthesizedResource[];
}

export interface RoleModel {
    readonly stack: string;
    readonly arn: string;
    readonly name: string;
    readonly trust: object;
    readonly policies: object[];
    readonly boundaryArn?: string;
    readonly boundary?: object;
}

export interface FunctionModel {
    readonly stack: string;
    readonly arn: string;
    readonly name: string;
    readonly roleArn: string;
}

export interface MappingRule {
    readonly claim: string;
    readonly matchType: string;
    readonly value: string;
    readonly roleArn: string;
}

export interface StackModel {
    readonly stage: string;
    readonly project: string;
    readonly account: string;
    readonly region: string;
    readonly config: Record<string, string>;
    readonly outputs: Record<string, any>;
    readonly tags: Record<string, string>;
    readonly userPool: {
        readonly id: string;
        readonly arn: string;
        readonly providerName: string;
        readonly clientId: string;
        readonly idTokenValidityMinutes: number;
        /** The app client lets a user write their own email (an empty write list means every standard attribute). */
        readonly clientWritesEmail: boolean;
        /** An email change waits until the new address is verified. */
        readonly emailVerifiedBeforeUpdate: boolean;
    };
    /** The bucket of the Pulumi state (`ciStateBucket`), when the backend is S3. */
    readonly stateBucket?: string;
    readonly identityPool: {
        readonly id: string;
        readonly arn: string;
        readonly serverSideTokenCheck: boolean;
        readonly rules: readonly MappingRule[];
        readonly authenticatedRoleArn?: string;
    };
    readonly userFiles: { readonly bucket: string; readonly prefix: string; readonly policy?: object };
    readonly auditBucket?: { readonly bucket: string; readonly policy?: object };
    /** Receives the audit bucket's server access logs: who read or deleted the audit logs. */
    readonly auditAccessBucket?: { readonly bucket: string; readonly policy?: object };
    readonly api: { readonly id: string; readonly executionArn: string; readonly routes: readonly string[] };
    readonly trailArn?: string;
    readonly functions: readonly FunctionModel[];
    readonly adminRoleArn: string;
    readonly userRoleArn: string;
    readonly boundaryArn?: string;
}

export interface OidcProviderModel {
    readonly arn: string;
    /** The provider's URL without `https://`: the prefix of its condition keys. */
    readonly host: string;
    readonly clientIds: readonly string[];
}

export interface World {
    readonly account: string;
    readonly stacks: readonly StackModel[];
    readonly roles: readonly RoleModel[];
    readonly providers: readonly OidcProviderModel[];
    readonly managedPolicies: readonly { readonly arn: string; readonly doc: object }[];
}

const parse = (value: unknown): any => (typeof value === "string" ? JSON.parse(value) : value);

/** Unwraps Pulumi's secret marker, as the mocks receive secret inputs. */
function reveal(value: unknown): unknown {
    if (value !== null && typeof value === "object" && "value" in (value as object) && "4dabf18193072939515e22adb298388d" in (value as object)) {
        return (value as { value: unknown }).value;
    }
    return value;
}

function ofType(stack: SynthesizedStack, type: string): SynthesizedResource[] {
    return stack.resources.filter((r) => r.type === type);
}

function one(stack: SynthesizedStack, type: string, pick?: (r: SynthesizedResource) => boolean): SynthesizedResource {
    const found = ofType(stack, type).filter(pick ?? (() => true));
    if (found.length !== 1) {
        throw new Error(`world: stack ${stack.stack} has ${found.length} ${type}${pick ? " matching" : ""}; expected one`);
    }
    return found[0];
}

/** Builds the world from the synthesized stacks, all in the account they were synthesized for. */
export function buildWorld(stacks: readonly SynthesizedStack[], account: string): World {
    const roles: RoleModel[] = [];
    const providers = new Map<string, OidcProviderModel>();
    const managedPolicies: { arn: string; doc: object }[] = [];
    const models: StackModel[] = [];

    for (const stack of stacks) {
        const policiesByArn = new Map<string, object>();
        for (const p of ofType(stack, "aws:iam/policy:Policy")) {
            const doc = parse(p.inputs.policy);
            policiesByArn.set(p.state.arn, doc);
            managedPolicies.push({ arn: p.state.arn, doc });
        }
        roles.push(...ofType(stack, "aws:iam/role:Role").map((role) => roleModel(stack, role, policiesByArn)));
        for (const provider of ofType(stack, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")) {
            providers.set(provider.state.arn, {
                arn: provider.state.arn,
                host: String(provider.inputs.url).replace(/^https:\/\//, ""),
                clientIds: provider.inputs.clientIdLists ?? [],
            });
        }
        models.push(stackModel(stack, account));
    }
    // A stack set to `githubOidcProvider: existing` trusts the account's GitHub provider, which an
    // administrator created (docs/first-deploy.md: GitHub's URL, audience sts.amazonaws.com).
    for (const stack of stacks) {
        const arn = stack.outputs.githubOidcProviderArn as string | undefined;
        if (arn && !providers.has(arn)) {
            providers.set(arn, { arn, host: arn.slice(arn.indexOf("oidc-provider/") + "oidc-provider/".length), clientIds: ["sts.amazonaws.com"] });
        }
    }
    return { account, stacks: models, roles, providers: [...providers.values()], managedPolicies };
}

/** A role with its trust, its inline and managed policies, and its permissions boundary. */
function roleModel(stack: SynthesizedStack, role: SynthesizedResource, policiesByArn: ReadonlyMap<string, object>): RoleModel {
    const name = role.state.name as string;
    const boundaryArn = role.inputs.permissionsBoundary as string | undefined;
    return {
        stack: stack.stack,
        arn: role.state.arn,
        name,
        trust: parse(reveal(role.inputs.assumeRolePolicy)),
        policies: [
            ...ofType(stack, "aws:iam/rolePolicy:RolePolicy")
                .filter((p) => p.inputs.role === name)
                .map((p) => parse(reveal(p.inputs.policy))),
            ...ofType(stack, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .filter((a) => a.inputs.role === name)
                .map((a) => {
                    const doc = policiesByArn.get(a.inputs.policyArn);
                    if (!doc) throw new Error(`world: ${name} has a managed policy the stack does not define: ${a.inputs.policyArn}`);
                    return doc;
                }),
        ],
        boundaryArn,
        boundary: boundaryArn ? policiesByArn.get(boundaryArn) : undefined,
    };
}

/** One stack's users, identities, buckets, API, trail and functions, as the model reads them. */
function stackModel(stack: SynthesizedStack, account: string): StackModel {
    const pool = one(stack, "aws:cognito/userPool:UserPool");
    const client = one(stack, "aws:cognito/userPoolClient:UserPoolClient");
    const identityPool = one(stack, "aws:cognito/identityPool:IdentityPool");
    const attachment = one(stack, "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment");
    const api = one(stack, "aws:apigatewayv2/api:Api");
    const buckets = ofType(stack, "aws:s3/bucket:Bucket");
    const bucketPolicy = (bucket: string) => {
        const found = ofType(stack, "aws:s3/bucketPolicy:BucketPolicy").find((p) => p.inputs.bucket === bucket);
        return found ? parse(found.inputs.policy) : undefined;
    };
    const userFilesBucket = stack.outputs.userFilesBucket as string;
    const auditBucket = buckets.find((b) => b.id !== userFilesBucket && b.id === stack.outputs.auditLogBucket);
    const auditAccessBucket = buckets.find((b) => b.id !== userFilesBucket && b.id === stack.outputs.auditAccessLogBucket);
    const trail = ofType(stack, "aws:cloudtrail/trail:Trail")[0];
    const functions = ofType(stack, "aws:lambda/function:Function").map((f) => ({
        stack: stack.stack,
        arn: f.state.arn as string,
        name: f.state.name as string,
        roleArn: f.inputs.role as string,
    }));
    const mapping = (attachment.inputs.roleMappings ?? [])[0];
    return {
        stage: stack.stack,
        project: String((pool.inputs.tags ?? {}).project),
        account,
        region: stack.outputs.region,
        config: stack.config,
        outputs: stack.outputs,
        tags: pool.inputs.tags ?? {},
        userPool: {
            id: pool.id,
            arn: pool.state.arn,
            providerName: pool.state.endpoint,
            clientId: client.id,
            idTokenValidityMinutes: tokenMinutes(client.inputs.idTokenValidity, client.inputs.tokenValidityUnits?.idToken),
            clientWritesEmail: (client.inputs.writeAttributes ?? []).length === 0 || client.inputs.writeAttributes.includes("email"),
            emailVerifiedBeforeUpdate: (pool.inputs.userAttributeUpdateSettings?.attributesRequireVerificationBeforeUpdates ?? []).includes("email"),
        },
        stateBucket: stack.config["federated-access:ciStateBucket"] || undefined,
        identityPool: {
            id: identityPool.id,
            arn: identityPool.state.arn,
            serverSideTokenCheck: (identityPool.inputs.cognitoIdentityProviders ?? []).every((p: any) => p.serverSideTokenCheck === true),
            rules: (mapping?.mappingRules ?? []).map((r: any) => ({ claim: r.claim, matchType: r.matchType, value: r.value, roleArn: r.roleArn })),
            authenticatedRoleArn: attachment.inputs.roles?.authenticated,
        },
        userFiles: { bucket: userFilesBucket, prefix: stack.outputs.userFilesPrefix, policy: bucketPolicy(userFilesBucket) },
        auditBucket: auditBucket ? { bucket: auditBucket.id, policy: bucketPolicy(auditBucket.id) } : undefined,
        auditAccessBucket: auditAccessBucket ? { bucket: auditAccessBucket.id, policy: bucketPolicy(auditAccessBucket.id) } : undefined,
        api: { id: api.id, executionArn: api.state.executionArn, routes: stack.outputs.apiRoutes ?? [] },
        trailArn: trail?.state.arn,
        functions,
        adminRoleArn: stack.outputs.adminRoleArn,
        userRoleArn: stack.outputs.userRoleArn,
        boundaryArn: stack.outputs.permissionsBoundaryArn,
    };
}
