/**
 * What each person can reach, by any path. A person starts with the credentials they hold
 * (a user pool IdToken, a GitHub Actions token, a role session of another account) and gains
 * every credential those let them obtain: identity-pool roles, web-identity roles, roles they
 * may assume, and what the escalation methods below let them become, each step decided by the
 * IAM policy engine over the synthesized policies. Iterated to a fixed point; every reached
 * capability keeps the chain of steps that got there.
 */
import { ROUTES, USER_FILE_NAME } from "../lambdas/contract";
import { decide } from "./engine";
import { heldResources, PassTarget, passTargets, privilegedRoleName, privilegedServiceRoles } from "./services";
import { OidcProviderModel, RoleModel, StackModel, World } from "./world";

/** Escalation methods the model applies, each decided per credential by the engine. */
export const ESCALATION_METHODS = [
    "sts:AssumeRole on any role whose trust and the caller's policies allow it",
    "sts:AssumeRoleWithWebIdentity with a held IdToken or GitHub token on any role trusting its provider",
    "identity pool GetCredentialsForIdentity with a held IdToken (role chosen by the pool's rules)",
    "iam:CreateRole + iam:PutRolePolicy, then sts:AssumeRole on it (trust naming the creator)",
    "iam:CreateRole + iam:PutRolePolicy, then iam:PassRole + lambda:CreateFunction running as it",
    "iam:PutRolePolicy / iam:AttachRolePolicy on a role the person can already use",
    "iam:UpdateAssumeRolePolicy on a role (the account's administrator and service roles too), then sts:AssumeRole on it",
    "iam:DeleteRolePermissionsBoundary / iam:PutRolePermissionsBoundary on a role it can rewrite",
    "iam:CreatePolicyVersion / iam:SetDefaultPolicyVersion on a permissions boundary",
    "lambda:UpdateFunctionCode on a function, running as its role",
    "lambda:UpdateFunctionConfiguration alone on a function (a layer or an environment variable), running as its role",
    "iam:PassRole + lambda:CreateFunction / UpdateFunctionConfiguration, running as a passed role whose trust names Lambda",
    "iam:PassRole + ec2:RunInstances, running as a passed role whose trust names EC2",
    "iam:PassRole + cloudformation:CreateStack, running as a passed role whose trust names CloudFormation",
    "iam:PassRole + glue:CreateDevEndpoint, running as a passed role whose trust names Glue",
    "iam:PassRole + codebuild:CreateProject + StartBuild / StartBuildBatch, running as a passed role whose trust names CodeBuild",
    "iam:PassRole + sagemaker:CreateNotebookInstance + CreatePresignedNotebookInstanceUrl / CreateTrainingJob / CreateProcessingJob, running as a passed role whose trust names SageMaker",
    "iam:PassRole + datapipeline:CreatePipeline + PutPipelineDefinition + ActivatePipeline, running as a passed role whose trust names Data Pipeline",
    "ssm:SendCommand / ssm:StartSession / ec2-instance-connect:SendSSHPublicKey / SendSerialConsoleSSHPublicKey on the account's instance",
    "cloudformation:UpdateStack on the account's stack, glue:UpdateDevEndpoint on its development endpoint, sagemaker:CreatePresignedNotebookInstanceUrl on its notebook",
    "cognito-idp:AdminSetUserPassword / AdminResetUserPassword / AdminUpdateUserAttributes: take over any user",
    "cognito-idp:AdminCreateUser with MessageAction RESEND: sign in as a user who never signed in",
    "cognito-idp:UpdateUserPool + UpdateUserPoolClient with code it controls (custom auth triggers): sign in as any user",
    "cognito-idp:AdminCreateUser + AdminInitiateAuth (+ AdminRespondToAuthChallenge): a user of its own",
    "cognito-idp:AdminAddUserToGroup: any group for a user it holds",
    "cognito-identity:UpdateIdentityPool + GetOpenIdTokenForDeveloperIdentity: credentials of any identity",
    "cognito-identity:SetIdentityPoolRoles: any role trusting the pool for identities it holds",
    "cognito-identity:UpdateIdentityPool: server-side token check off, so revoked tokens work again",
    "s3:PutBucketPolicy / s3:DeleteBucketPolicy: any object of the bucket",
    "iam:CreateAccessKey / CreateLoginProfile / UpdateLoginProfile / AttachUserPolicy / PutUserPolicy on an IAM user",
    "iam:AttachGroupPolicy / PutGroupPolicy / AddUserToGroup on an IAM group",
    "iam:CreatePolicyVersion / iam:SetDefaultPolicyVersion on a managed policy attached to someone",
    "sts:AssumeRole on an administrator role that trusts the account",
] as const;

/** A credential or power a person holds, with how they got it. */
export type Holding =
    | {
          readonly kind: "token";
          readonly stack: string;
          /** `A`, `B`, … a known user; `any`: any user of the pool; `own`: a user the person created. */
          readonly user: string;
          readonly groups: readonly string[];
          readonly revoked: boolean;
          readonly chain: readonly string[];
          /** Set when the credential lasts only until an IdToken issued before a change expires. */
          readonly stale?: string;
      }
    | { readonly kind: "github"; readonly sub: string; readonly chain: readonly string[]; readonly stale?: string }
    | {
          readonly kind: "session";
          readonly roleArn: string;
          readonly policies: readonly object[];
          readonly boundaries: readonly object[];
          /** Identity id substituted for `${cognito-identity.amazonaws.com:sub}`; `any` for every identity. */
          readonly identityId?: string;
          readonly label: string;
          readonly chain: readonly string[];
          readonly stale?: string;
      }
    | { readonly kind: "power"; readonly power: "accountAdmin" | "bucketControl" | "poolControl"; readonly target: string; readonly chain: readonly string[]; readonly stale?: string };

export interface Person {
    readonly id: string;
    readonly name: string;
    /** The stage whose user pool the person is a user of, or whose pipeline the person is. */
    readonly stage?: string;
    readonly kind: "user" | "admin" | "demoted" | "signed-out" | "pr-author" | "pipeline" | "caller" | "outsider";
    /** The user's letter in the identity ids (A, B, …), for user kinds. */
    readonly user?: string;
    readonly holds: readonly Holding[];
}

export type Cell = { readonly allowed: false } | { readonly allowed: true; readonly chain: readonly string[]; readonly stale?: string };

export interface Reach {
    readonly person: Person;
    /** Column name → cell. */
    readonly cells: Record<string, Cell>;
    /** Every credential and power held at the fixed point. */
    readonly holdings: readonly Holding[];
}

type Session = Extract<Holding, { kind: "session" }>;

const ALLOW_ALL = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
const roleNameOf = (arn: string) => arn.split("/").pop() as string;
const accountOf = (arn: string) => arn.split(":")[4];
const sessionArn = (roleArn: string, name = "session") => `arn:aws:sts::${accountOf(roleArn)}:assumed-role/${roleNameOf(roleArn)}/${name}`;

/** A trust naming one role: what a person who may rewrite a trust writes. */
const selfTrust = (roleArn: string) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: roleArn }, Action: "sts:AssumeRole" }] });

const wildcard = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");

/** Whether any Allow statement of these policies could name `action` (a cheap pre-filter, never a decision). */
function mayAllow(policies: readonly object[], action: string): boolean {
    return policies.some((policy) =>
        ([] as any[]).concat((policy as { Statement?: unknown }).Statement ?? []).some(
            (st) => st.Effect === "Allow" && (st.NotAction !== undefined || ([] as string[]).concat(st.Action ?? []).some((a) => wildcard(a).test(action))),
        ),
    );
}

/** Identity ids of the model's users: one per stage and letter. */
export function identityIdOf(stack: StackModel, user: string): string {
    return `${stack.region}:${stack.stage}0000-0000-4000-8000-00000000000${user}`;
}

function keyOf(h: Holding): string {
    switch (h.kind) {
        case "token":
            return `token|${h.stack}|${h.user}|${[...h.groups].sort().join(",")}|${h.revoked}|${h.stale ?? ""}`;
        case "github":
            return `github|${h.sub}`;
        case "session":
            return `session|${h.roleArn}|${h.identityId ?? ""}|${h.label}|${h.stale ?? ""}`;
        case "power":
            return `power|${h.power}|${h.target}|${h.stale ?? ""}`;
    }
}

/** Context every request carries: TLS, the region. */
function baseContext(region: string): Record<string, string> {
    return { "aws:SecureTransport": "true", "aws:RequestedRegion": region };
}

export class ReachModel {
    private readonly world: World;
    private readonly region: string;
    /** Roles outside the program that exist in most accounts, as escalation targets. */
    private readonly sentinels: RoleModel[];
    /** The account's privileged roles trusting each service that runs code as a role (analysis/services.ts). */
    private readonly serviceRoles: RoleModel[];

    constructor(world: World) {
        this.world = world;
        this.region = world.stacks[0].region;
        const a = world.account;
        this.serviceRoles = privilegedServiceRoles(this.region, a);
        this.sentinels = [
            {
                stack: "",
                arn: `arn:aws:iam::${a}:role/AccountAdministrator`,
                name: "AccountAdministrator",
                trust: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${a}:root` }, Action: "sts:AssumeRole" }] },
                policies: [ALLOW_ALL],
            },
        ];
    }

    /** Can this session do `action` on `resource`? */
    private async can(
        s: Extract<Holding, { kind: "session" }>,
        action: string,
        resource: string,
        extra: { context?: Record<string, string | string[]>; resourcePolicy?: object; identityId?: string } = {},
    ): Promise<boolean> {
        if (extra.resourcePolicy === undefined && !mayAllow(s.policies, action)) {
            // Nothing but the caller's own policies could allow it, and none names the action.
            return false;
        }
        const identityId = extra.identityId ?? (s.identityId === "any" ? undefined : s.identityId);
        const decision = await decide({
            principal: sessionArn(s.roleArn),
            action,
            resource,
            resourceAccount: resource.startsWith("arn:aws:s3:::") || resource === "*" ? this.world.account : undefined,
            identityPolicies: s.policies,
            permissionBoundaries: s.boundaries.length ? s.boundaries : undefined,
            resourcePolicy: extra.resourcePolicy,
            context: { ...baseContext(this.region), ...extra.context },
            identityId,
        });
        return decision === "Allowed";
    }

    private stackOf(stage: string): StackModel {
        return this.world.stacks.find((s) => s.stage === stage) as StackModel;
    }

    private tagContext(stack: StackModel, kind: "ResourceTag" | "RequestTag"): Record<string, string> {
        return Object.fromEntries(Object.entries(stack.tags).map(([k, v]) => [`aws:${kind}/${k}`, v]));
    }

    private roleSession(role: RoleModel, label: string, chain: readonly string[], stale?: string, identityId?: string): Holding {
        return {
            kind: "session",
            roleArn: role.arn,
            policies: role.policies,
            boundaries: role.boundary ? [role.boundary] : [],
            identityId,
            label,
            chain,
            stale,
        };
    }

    /** Everything one holding leads to directly. */
    private async expand(h: Holding, held: readonly Holding[]): Promise<Holding[]> {
        switch (h.kind) {
            case "token":
                return this.expandToken(h);
            case "github": {
                const out: Holding[] = [];
                const github = this.world.providers.filter((p) => p.host === "token.actions.githubusercontent.com");
                for (const role of await this.webIdentityRoles(github, "sts.amazonaws.com", h.sub)) {
                    out.push(this.roleSession(role, role.name, [...h.chain, `AssumeRoleWithWebIdentity (${h.sub}) → ${role.name}`]));
                }
                return out;
            }
            case "power":
                return [];
            case "session":
                return [
                    ...(await this.assumeSteps(h)),
                    ...(await this.newRoleSteps(h)),
                    ...(await this.existingRoleSteps(h, held)),
                    ...(await this.functionSteps(h)),
                    ...(await this.passRoleSteps(h)),
                    ...(await this.heldResourceSteps(h)),
                    ...(await this.userPoolSteps(h, held)),
                    ...(await this.identityPoolSteps(h, held)),
                    ...(await this.bucketPolicySteps(h)),
                    ...(await this.accountIdentitySteps(h)),
                ];
        }
    }

    /** An IdToken: the identity pool's role for its groups, and web-identity roles trusting the pool. */
    private async expandToken(h: Extract<Holding, { kind: "token" }>): Promise<Holding[]> {
        const out: Holding[] = [];
        const next = (step: string) => [...h.chain, step];
        const stack = this.stackOf(h.stack);
        const pool = stack.identityPool;
        const provider = stack.userPool.providerName;
        // Identity pool: the first rule whose group the token carries chooses the role.
        if (!h.revoked || !pool.serverSideTokenCheck) {
            const rule = pool.rules.find((r) => r.claim === "cognito:groups" && r.matchType === "Contains" && h.groups.some((g) => g.includes(r.value)));
            const role = rule && [...this.world.roles, ...this.sentinels].find((r) => r.arn === rule.roleArn);
            if (role && (await this.trustsIdentityPool(role, stack))) {
                const identityId = h.user === "any" ? "any" : identityIdOf(stack, h.user);
                out.push(this.roleSession(role, `${role.name} (identity ${h.user})`, next(`identity pool ${h.stack}: GetCredentialsForIdentity → ${role.name}`), h.stale, identityId));
            }
        }
        // The user pool as an IAM OIDC provider: STS checks signature and audience, not revocation.
        const registered = this.world.providers.filter((p) => p.host === provider && p.clientIds.includes(stack.userPool.clientId));
        for (const role of await this.webIdentityRoles(registered, stack.userPool.clientId, `sub-${h.user}`)) {
            out.push(this.roleSession(role, role.name, next(`AssumeRoleWithWebIdentity (IdToken) → ${role.name}`), h.stale));
        }
        return out;
    }

    private async trustsIdentityPool(role: RoleModel, stack: StackModel): Promise<boolean> {
        const trusted = await decide({
            principal: "cognito-identity.amazonaws.com",
            action: "sts:AssumeRoleWithWebIdentity",
            resource: role.arn,
            resourcePolicy: role.trust,
            context: { "cognito-identity.amazonaws.com:aud": stack.identityPool.id, "cognito-identity.amazonaws.com:amr": ["authenticated", stack.userPool.providerName] },
        });
        return trusted === "Allowed";
    }

    /** Whether a role's trust lets `service` assume it: a service refuses a role that does not trust it. */
    private async trustsService(role: RoleModel, service: string): Promise<boolean> {
        return (await decide({ principal: service, action: "sts:AssumeRole", resource: role.arn, resourcePolicy: role.trust })) === "Allowed";
    }

    /** What becoming a role gives: the account's own roles are its administration. */
    private become(s: Session, role: RoleModel, step: string): Holding {
        return role.stack === ""
            ? { kind: "power", power: "accountAdmin", target: role.name, chain: [...s.chain, step], stale: s.stale }
            : this.roleSession(role, role.name, [...s.chain, step], s.stale);
    }

    /** sts:AssumeRole on any role whose trust and the session's policies allow it. */
    private async assumeSteps(s: Session): Promise<Holding[]> {
        const out: Holding[] = [];
        for (const role of [...this.world.roles, ...this.sentinels]) {
            if (role.arn === s.roleArn) continue;
            if (await this.can(s, "sts:AssumeRole", role.arn, { resourcePolicy: role.trust })) {
                out.push(this.become(s, role, `sts:AssumeRole → ${role.name}`));
            }
        }
        return out;
    }

    /** New roles: unbounded, or bounded by a boundary the person cannot lift. */
    private async newRoleSteps(s: Session): Promise<Holding[]> {
        const out: Holding[] = [];
        const a = this.world.account;
        const next = (step: string) => [...s.chain, step];
        const boundaries = this.world.managedPolicies.filter((p) => this.world.roles.some((r) => r.boundaryArn === p.arn));
        const candidatePaths = ["/", ...new Set(this.world.stacks.map((st) => `/${st.project}/${st.stage}/`))];
        for (const path of candidatePaths) {
            const names = path === "/" ? ["escalation"] : this.world.stacks.filter((st) => path === `/${st.project}/${st.stage}/`).map((st) => `${st.project}-${st.stage}-escalation-fn`);
            for (const name of names) {
                const candidate = `arn:aws:iam::${a}:role${path}${name}`;
                const options: { boundary?: { arn: string; doc: object } }[] = [{}, ...boundaries.map((b) => ({ boundary: b }))];
                for (const option of options) {
                    const context: Record<string, string> = option.boundary ? { "iam:PermissionsBoundary": option.boundary.arn } : {};
                    if (!(await this.can(s, "iam:CreateRole", candidate, { context })) || !(await this.can(s, "iam:PutRolePolicy", candidate, { context }))) {
                        continue;
                    }
                    const how = option.boundary ? `bounded by ${roleNameOf(option.boundary.arn)}` : "with no boundary";
                    const usable =
                        ((await this.can(s, "sts:AssumeRole", candidate, { resourcePolicy: selfTrust(s.roleArn) })) && `sts:AssumeRole on it`) ||
                        ((await this.can(s, "iam:PassRole", candidate, { context: { "iam:PassedToService": "lambda.amazonaws.com" } })) && (await this.firstCreatableFunction(s)));
                    if (!usable) continue;
                    const step = `iam:CreateRole ${path}${name} ${how} + iam:PutRolePolicy, then ${usable}`;
                    if (!option.boundary) {
                        out.push({ kind: "power", power: "accountAdmin", target: "new role", chain: next(step), stale: s.stale });
                    } else {
                        out.push({ kind: "session", roleArn: candidate, policies: [ALLOW_ALL], boundaries: [option.boundary.doc], label: `new role ${how}`, chain: next(step), stale: s.stale });
                        if ((await this.can(s, "iam:CreatePolicyVersion", option.boundary.arn)) || (await this.can(s, "iam:SetDefaultPolicyVersion", option.boundary.arn))) {
                            out.push({ kind: "power", power: "accountAdmin", target: "boundary rewritten", chain: next(`${step}; iam:CreatePolicyVersion on its boundary`), stale: s.stale });
                        }
                    }
                    break;
                }
            }
        }
        return out;
    }

    /** Existing roles, the account's own among them: rewrite their trust, their policies, or their boundary. */
    private async existingRoleSteps(s: Session, held: readonly Holding[]): Promise<Holding[]> {
        const out: Holding[] = [];
        const next = (step: string) => [...s.chain, step];
        for (const role of [...this.world.roles, ...this.sentinels, ...this.serviceRoles]) {
            const context: Record<string, string> = role.boundaryArn ? { "iam:PermissionsBoundary": role.boundaryArn } : {};
            const retrust = await this.can(s, "iam:UpdateAssumeRolePolicy", role.arn, { context });
            if (retrust && (await this.can(s, "sts:AssumeRole", role.arn, { resourcePolicy: selfTrust(s.roleArn) }))) {
                out.push(this.become(s, role, `iam:UpdateAssumeRolePolicy on ${role.name} (trust itself) + sts:AssumeRole`));
            }
            if (role.stack === "" || !held.some((x) => x.kind === "session" && x.roleArn === role.arn)) continue;
            const rewrite =
                ((await this.can(s, "iam:PutRolePolicy", role.arn, { context })) && "iam:PutRolePolicy") ||
                ((await this.can(s, "iam:AttachRolePolicy", role.arn, { context: { ...context, "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" } })) && "iam:AttachRolePolicy");
            if (!rewrite) continue;
            const unbound =
                role.boundaryArn === undefined ||
                (await this.can(s, "iam:DeleteRolePermissionsBoundary", role.arn, { context })) ||
                (await this.can(s, "iam:PutRolePermissionsBoundary", role.arn, { context: { "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" } }));
            if (unbound) {
                out.push({ kind: "power", power: "accountAdmin", target: role.name, chain: next(`${rewrite} on ${role.name} with no boundary left`), stale: s.stale });
            } else {
                const label = `${role.name} rewritten`;
                out.push({ kind: "session", roleArn: role.arn, policies: [ALLOW_ALL], boundaries: role.boundary ? [role.boundary] : [], label, chain: next(`${rewrite} on ${role.name} (still bounded)`), stale: s.stale });
            }
        }
        return out;
    }

    /**
     * The program's functions: new code, or a new configuration alone, runs as the function's role.
     * A configuration runs code through a layer or an environment variable the runtime reads
     * (e.g. `AWS_LAMBDA_EXEC_WRAPPER`, `NODE_OPTIONS`): unverified against AWS, an over-approximation.
     */
    private async functionSteps(s: Session): Promise<Holding[]> {
        const out: Holding[] = [];
        for (const fn of this.world.stacks.flatMap((st) => st.functions)) {
            const role = this.world.roles.find((r) => r.arn === fn.roleArn);
            if (!role) continue;
            const how = ((await this.can(s, "lambda:UpdateFunctionCode", fn.arn)) && "UpdateFunctionCode") || ((await this.can(s, "lambda:UpdateFunctionConfiguration", fn.arn)) && "UpdateFunctionConfiguration");
            if (how) out.push(this.roleSession(role, role.name, [...s.chain, `lambda:${how} on ${fn.name} (runs as ${role.name})`], s.stale));
        }
        return out;
    }

    /** How the session makes Lambda run code as a role passed to it, if it can. */
    private async lambdaLaunch(s: Session): Promise<string | undefined> {
        return (await this.firstCreatableFunction(s)) ?? (await this.firstUpdatableConfiguration(s));
    }

    /** How the session makes a service run code as a role passed to it: the first launch it may make. */
    private async serviceLaunch(s: Session, target: PassTarget): Promise<string | undefined> {
        if (target.principal === "lambda.amazonaws.com") return this.lambdaLaunch(s);
        for (const launch of target.launches) {
            let all = true;
            for (const [action, resource] of launch) {
                if (!(await this.can(s, action, resource))) {
                    all = false;
                    break;
                }
            }
            if (all) return launch.map(([action]) => action).join(" + ");
        }
        return undefined;
    }

    /** iam:PassRole to a service that runs code as the role, for roles whose trust lets that service in. */
    private async passRoleSteps(s: Session): Promise<Holding[]> {
        const out: Holding[] = [];
        if (!mayAllow(s.policies, "iam:PassRole")) return out;
        for (const target of passTargets(this.region, this.world.account)) {
            const how = await this.serviceLaunch(s, target);
            if (!how) continue;
            for (const role of [...this.world.roles, ...this.serviceRoles]) {
                if (!(await this.can(s, "iam:PassRole", role.arn, { context: { "iam:PassedToService": target.principal } }))) continue;
                if (!(await this.trustsService(role, target.principal))) continue;
                out.push(this.become(s, role, `iam:PassRole ${role.name} to ${target.principal} + ${how}`));
            }
        }
        return out;
    }

    /** Resources of the account that run as its privileged service roles, taken over without a pass. */
    private async heldResourceSteps(s: Session): Promise<Holding[]> {
        const out: Holding[] = [];
        for (const resource of heldResources(this.region, this.world.account)) {
            const role = this.serviceRoles.find((r) => r.name === privilegedRoleName(resource.principal)) as RoleModel;
            for (const takeover of resource.takeovers) {
                let all = true;
                for (const [action, arn] of takeover) {
                    if (!(await this.can(s, action, arn))) {
                        all = false;
                        break;
                    }
                }
                if (!all) continue;
                out.push(this.become(s, role, `${takeover.map(([action]) => action).join(" + ")} on ${resource.description} (assumed to run as ${role.name})`));
                break;
            }
        }
        return out;
    }

    /** Whether the session may make every call of the list. */
    private async canAll(s: Session, calls: readonly (readonly [string, string, Record<string, string>?])[]): Promise<boolean> {
        for (const [action, resource, context] of calls) {
            if (!(await this.can(s, action, resource, { context }))) return false;
        }
        return true;
    }

    /** The user pools: take over, create or regroup users, or run code in their sign-in. */
    private async userPoolSteps(s: Session, held: readonly Holding[]): Promise<Holding[]> {
        const out: Holding[] = [];
        const next = (step: string) => [...s.chain, step];
        const runsCode = (await this.lambdaLaunch(s)) !== undefined || (await this.functionSteps(s)).length > 0;
        for (const stack of this.world.stacks) {
            const pool = stack.userPool.arn;
            const tags = this.tagContext(stack, "ResourceTag");
            const token = (user: string, groups: string[], step: string): Holding => ({ kind: "token", stack: stack.stage, user, groups, revoked: false, chain: next(step), stale: s.stale });
            for (const takeover of ["cognito-idp:AdminSetUserPassword", "cognito-idp:AdminResetUserPassword", "cognito-idp:AdminUpdateUserAttributes"]) {
                if (await this.can(s, takeover, pool, { context: tags })) {
                    out.push(token("any", ["admin"], `${takeover} on the ${stack.stage} user pool: any user`));
                    break;
                }
            }
            if (runsCode && (await this.canAll(s, [["cognito-idp:UpdateUserPool", pool, tags], ["cognito-idp:UpdateUserPoolClient", pool, tags]]))) {
                out.push(token("any", ["admin"], `cognito-idp:UpdateUserPool (custom auth triggers it runs) + UpdateUserPoolClient on the ${stack.stage} pool: sign in as any user`));
            }
            const creates =
                (await this.canAll(s, [["cognito-idp:AdminCreateUser", pool, tags], ["cognito-idp:AdminInitiateAuth", pool, tags]])) &&
                ((await this.can(s, "cognito-idp:AdminRespondToAuthChallenge", pool, { context: tags })) || (await this.can(s, "cognito-idp:AdminSetUserPassword", pool, { context: tags })));
            const grouping = await this.can(s, "cognito-idp:AdminAddUserToGroup", pool, { context: tags });
            if (creates) {
                for (const groups of grouping ? [["user"], ["admin"]] : [[]]) {
                    out.push(token(`own-${stack.stage}`, groups, `cognito-idp:AdminCreateUser + AdminInitiateAuth on the ${stack.stage} pool${groups.length ? ` + AdminAddUserToGroup ${groups[0]}` : ""}: a user of its own`));
                }
            }
            // AdminCreateUser with MessageAction RESEND sets a temporary password of the caller's
            // choosing for a user who never signed in (API reference of AdminCreateUser; not tried
            // against AWS); the public InitiateAuth and RespondToAuthChallenge need no IAM right.
            // The model assumes such a user exists, invited to the admin group.
            if (await this.can(s, "cognito-idp:AdminCreateUser", pool, { context: tags })) {
                out.push(token("invited", ["admin"], `cognito-idp:AdminCreateUser (MessageAction RESEND, a temporary password of its choosing) on the ${stack.stage} pool: an invited admin who never signed in`));
            }
            if (grouping) {
                for (const t of held.filter((x): x is Extract<Holding, { kind: "token" }> => x.kind === "token" && x.stack === stack.stage && !x.groups.includes("admin"))) {
                    out.push({ ...t, groups: ["admin"], chain: [...t.chain, ...s.chain.slice(-1), `cognito-idp:AdminAddUserToGroup admin`] });
                }
            }
        }
        return out;
    }

    /** The identity pools: credentials of any identity, revoked tokens working again, any role for its identities. */
    private async identityPoolSteps(s: Session, held: readonly Holding[]): Promise<Holding[]> {
        const out: Holding[] = [];
        const next = (step: string) => [...s.chain, step];
        for (const stack of this.world.stacks) {
            const identityPool = stack.identityPool.arn;
            const idTags = { context: this.tagContext(stack, "ResourceTag") };
            const updatesPool = await this.can(s, "cognito-identity:UpdateIdentityPool", identityPool, idTags);
            if (updatesPool && (await this.can(s, "cognito-identity:GetOpenIdTokenForDeveloperIdentity", identityPool, idTags))) {
                const role = this.world.roles.find((r) => r.arn === stack.identityPool.authenticatedRoleArn);
                if (role) {
                    out.push(this.roleSession(role, `${role.name} (any identity)`, next(`cognito-identity:UpdateIdentityPool + GetOpenIdTokenForDeveloperIdentity on ${stack.stage}: any identity`), s.stale, "any"));
                }
            }
            if (updatesPool) {
                for (const token of held.filter((x): x is Extract<Holding, { kind: "token" }> => x.kind === "token" && x.stack === stack.stage && x.revoked)) {
                    out.push({ ...token, revoked: false, chain: [...token.chain, `cognito-identity:UpdateIdentityPool: server-side token check off`] });
                }
            }
            if (await this.can(s, "cognito-identity:SetIdentityPoolRoles", "*")) {
                out.push({ kind: "power", power: "poolControl", target: stack.stage, chain: next(`cognito-identity:SetIdentityPoolRoles (any pool)`), stale: s.stale });
            }
        }
        return out;
    }

    /** Bucket policies: whoever writes one reaches every object of the bucket. */
    private async bucketPolicySteps(s: Session): Promise<Holding[]> {
        const out: Holding[] = [];
        for (const stack of this.world.stacks) {
            for (const bucket of [stack.userFiles.bucket, stack.auditBucket?.bucket, stack.auditAccessBucket?.bucket].filter((b): b is string => b !== undefined)) {
                const arn = `arn:aws:s3:::${bucket}`;
                if ((await this.can(s, "s3:PutBucketPolicy", arn)) || (await this.can(s, "s3:DeleteBucketPolicy", arn))) {
                    out.push({ kind: "power", power: "bucketControl", target: bucket, chain: [...s.chain, `s3:PutBucketPolicy on ${bucket}`], stale: s.stale });
                }
            }
        }
        return out;
    }

    /**
     * IAM users, groups and managed policies of the account. As iam-vulnerable's playground, the
     * model assumes the account holds an administrator user, users in groups, an administrators
     * group and a managed policy attached to someone with an older, broader version: rights over
     * any of them administer the account's identities.
     */
    private async accountIdentitySteps(s: Session): Promise<Holding[]> {
        const a = this.world.account;
        for (const [action, resource] of [
            ["iam:CreateAccessKey", `arn:aws:iam::${a}:user/administrator`],
            ["iam:CreateLoginProfile", `arn:aws:iam::${a}:user/administrator`],
            ["iam:UpdateLoginProfile", `arn:aws:iam::${a}:user/administrator`],
            ["iam:AttachUserPolicy", `arn:aws:iam::${a}:user/anyone`],
            ["iam:PutUserPolicy", `arn:aws:iam::${a}:user/anyone`],
            ["iam:AttachGroupPolicy", `arn:aws:iam::${a}:group/anyone`],
            ["iam:PutGroupPolicy", `arn:aws:iam::${a}:group/anyone`],
            ["iam:AddUserToGroup", `arn:aws:iam::${a}:group/Administrators`],
            ["iam:CreatePolicyVersion", `arn:aws:iam::${a}:policy/AnyAttachedPolicy`],
            ["iam:SetDefaultPolicyVersion", `arn:aws:iam::${a}:policy/AnyAttachedPolicy`],
        ] as const) {
            if (await this.can(s, action, resource)) {
                return [{ kind: "power", power: "accountAdmin", target: resource, chain: [...s.chain, `${action} on ${resource}`], stale: s.stale }];
            }
        }
        return [];
    }

    /**
     * Changes to the stage's user pool registered as an IAM OIDC provider: deleting it, or
     * retagging it as another stage's (after which that stage's rights cover it).
     */
    private userPoolProviderChanges(stack: StackModel): [string, string, Record<string, string | string[]>][] {
        const provider = this.world.providers.find((p) => p.host === stack.userPool.providerName);
        if (!provider) return [];
        const resourceTags = this.tagContext(stack, "ResourceTag");
        return [
            ["iam:DeleteOpenIDConnectProvider", provider.arn, resourceTags],
            ...this.world.stacks
                .filter((other) => other.stage !== stack.stage)
                .map((other): [string, string, Record<string, string | string[]>] => [
                    "iam:TagOpenIDConnectProvider",
                    provider.arn,
                    { ...resourceTags, ...this.tagContext(other, "RequestTag"), "aws:TagKeys": Object.keys(other.tags) },
                ]),
        ];
    }

    /** Roles a web identity token (audience, subject) of these providers may assume. */
    private async webIdentityRoles(providers: readonly OidcProviderModel[], aud: string, sub: string): Promise<RoleModel[]> {
        const found: RoleModel[] = [];
        for (const provider of providers) {
            for (const role of [...this.world.roles, ...this.sentinels]) {
                const decision = await decide({
                    principal: provider.arn,
                    action: "sts:AssumeRoleWithWebIdentity",
                    resource: role.arn,
                    resourcePolicy: role.trust,
                    context: { [`${provider.host}:aud`]: aud, [`${provider.host}:sub`]: sub },
                    webIdentityProvider: provider.host,
                });
                if (decision === "Allowed") found.push(role);
            }
        }
        return found;
    }

    private async firstCreatableFunction(s: Extract<Holding, { kind: "session" }>): Promise<string | undefined> {
        const candidates = [
            `arn:aws:lambda:${this.region}:${this.world.account}:function:escalation`,
            ...this.world.stacks.map((st) => `arn:aws:lambda:${this.region}:${this.world.account}:function:${st.project}-${st.stage}-escalation`),
        ];
        for (const fn of candidates) {
            if (await this.can(s, "lambda:CreateFunction", fn)) return `lambda:CreateFunction ${fn.split(":").pop()}`;
        }
        return undefined;
    }

    private async firstUpdatableConfiguration(s: Extract<Holding, { kind: "session" }>): Promise<string | undefined> {
        for (const fn of this.world.stacks.flatMap((st) => st.functions)) {
            if ((await this.can(s, "lambda:UpdateFunctionConfiguration", fn.arn)) && (await this.can(s, "lambda:UpdateFunctionCode", fn.arn))) {
                return `lambda:UpdateFunctionConfiguration + UpdateFunctionCode on ${fn.name}`;
            }
        }
        return undefined;
    }

    /** The fixed point of a person's holdings. */
    async holdings(person: Person): Promise<Holding[]> {
        const held = new Map<string, Holding>();
        const queue: Holding[] = [];
        const add = (h: Holding) => {
            const key = keyOf(h);
            const existing = held.get(key);
            // A shorter chain, or a lasting credential over a stale one, replaces what was found.
            if (!existing || existing.chain.length > h.chain.length) {
                held.set(key, h);
                queue.push(h);
            }
        };
        person.holds.forEach(add);
        for (let rounds = 0; queue.length > 0; rounds++) {
            if (rounds > 10_000) throw new Error(`reach: no fixed point for ${person.name}`);
            const h = queue.shift() as Holding;
            for (const found of await this.expand(h, [...held.values()])) {
                add(found);
            }
            // Combined powers: SetIdentityPoolRoles with a held IdToken of that stage.
            for (const power of [...held.values()].filter((x): x is Extract<Holding, { kind: "power" }> => x.kind === "power" && x.power === "poolControl")) {
                const stack = this.stackOf(power.target);
                for (const token of [...held.values()].filter((x): x is Extract<Holding, { kind: "token" }> => x.kind === "token" && x.stack === power.target && (!x.revoked || !stack.identityPool.serverSideTokenCheck))) {
                    for (const role of this.world.roles) {
                        if (await this.trustsIdentityPool(role, stack)) {
                            const identityId = token.user === "any" ? "any" : token.user.startsWith("own") ? undefined : identityIdOf(stack, token.user);
                            add(this.roleSession(role, `${role.name} (mapped)`, [...power.chain, ...token.chain.slice(-1), `identity pool mapped to ${role.name}`], token.stale ?? power.stale, identityId));
                        }
                    }
                }
            }
        }
        return [...held.values()];
    }

    /** The capability columns, per stage, in a stable order. */
    columns(): string[] {
        const columns: string[] = [];
        for (const stack of this.world.stacks) {
            const p = `${stack.stage}:`;
            columns.push(
                `${p} read A's file`,
                `${p} write A's folder`,
                `${p} read B's file`,
                `${p} list user files root`,
                ...stack.api.routes.map((r) => `${p} invoke ${r}`),
                `${p} /admin as an admin`,
                `${p} sign in as any user`,
                `${p} change resources`,
                `${p} read function code`,
                `${p} change users' groups`,
                `${p} re-send an invitation`,
                `${p} set a user's password`,
                `${p} write a user's email`,
                ...(stack.stateBucket ? [`${p} write the Pulumi state or lock`] : []),
                ...(stack.trailArn ? [`${p} stop the audit trail`] : []),
            );
        }
        columns.push("rewrite account log policies", "account administrator");
        return columns;
    }

    /**
     * The cells of a stage's users and state: changing their groups (which choose their identity
     * role), re-sending an invitation (a temporary password of the caller's choosing), setting a
     * password, writing an email (the username and recovery channel, by an admin call or by the
     * user's own access token where the app client lets it and no verification is waited for),
     * and writing the stage's Pulumi state or lock.
     */
    private async userAndStateCells(stack: StackModel, holdings: readonly Holding[]): Promise<[string, Holding, string][]> {
        const p = `${stack.stage}:`;
        const cells: [string, Holding, string][] = [];
        const pool = stack.userPool.arn;
        const context = this.tagContext(stack, "ResourceTag");
        const columns: [string, string[]][] = [
            [`${p} change users' groups`, ["AdminAddUserToGroup", "AdminRemoveUserFromGroup", "CreateGroup", "UpdateGroup", "DeleteGroup"]],
            [`${p} re-send an invitation`, ["AdminCreateUser"]],
            [`${p} set a user's password`, ["AdminSetUserPassword", "AdminResetUserPassword"]],
            [`${p} write a user's email`, ["AdminUpdateUserAttributes"]],
        ];
        const state = stack.stateBucket;
        const stateKeys = state
            ? [`arn:aws:s3:::${state}/.pulumi/stacks/${stack.project}/${stack.stage}.json`, `arn:aws:s3:::${state}/.pulumi/locks/organization/${stack.project}/${stack.stage}/lock.json`]
            : [];
        for (const h of holdings) {
            if (h.kind === "token" && !h.revoked && h.stack === stack.stage && stack.userPool.clientWritesEmail && !stack.userPool.emailVerifiedBeforeUpdate) {
                cells.push([`${p} write a user's email`, h, "UpdateUserAttributes email with its access token (the app client writes email, no verification before the change)"]);
            }
            if (h.kind !== "session") continue;
            for (const [column, actions] of columns) {
                for (const action of actions) {
                    if (await this.can(h, `cognito-idp:${action}`, pool, { context })) {
                        cells.push([column, h, `cognito-idp:${action} on the ${stack.stage} user pool`]);
                        break;
                    }
                }
            }
            const tamper = state && (await this.stateTampering(h, state, stateKeys));
            if (tamper) cells.push([`${p} write the Pulumi state or lock`, h, tamper]);
        }
        return cells;
    }

    /** How a session may write or delete a stage's state or lock key, or rewrite the state bucket's policy. */
    private async stateTampering(h: Session, bucket: string, keys: readonly string[]): Promise<string | undefined> {
        for (const key of keys) {
            for (const action of ["s3:PutObject", "s3:DeleteObject"]) {
                if (await this.can(h, action, key)) return `${action} ${key.split(":::")[1]}`;
            }
        }
        for (const action of ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"]) {
            if (await this.can(h, action, `arn:aws:s3:::${bucket}`)) return `${action} on ${bucket}`;
        }
        return undefined;
    }

    /** Decides every column for one person. */
    async reach(person: Person): Promise<Reach> {
        const holdings = await this.holdings(person);
        const { cells, grant } = cellSheet(this.columns());
        await this.accountCells(holdings, grant);
        for (const stack of this.world.stacks) {
            for (const [column, h, step] of await this.userAndStateCells(stack, holdings)) grant(column, h, step);
        }
        for (const stack of this.world.stacks) await this.stackCells(stack, holdings, grant);
        return { person, cells, holdings };
    }

    /** The account's columns: its administration, and its log resource policies. */
    private async accountCells(holdings: readonly Holding[], grant: Grant): Promise<void> {
        for (const h of holdings) {
            if (h.kind === "power" && h.power === "accountAdmin") {
                grant("account administrator", h);
                grant("rewrite account log policies", h);
            }
            // Account-wide CloudWatch Logs resource policies name no resource: any stage's delivery.
            for (const action of ["logs:PutResourcePolicy", "logs:DeleteResourcePolicy"]) {
                if (h.kind === "session" && (await this.can(h, action, "*"))) {
                    grant("rewrite account log policies", h, action);
                    break;
                }
            }
        }
    }

    /** One stack's columns of user files, API routes, resources and audit trail. */
    private async stackCells(stack: StackModel, holdings: readonly Holding[], grant: Grant): Promise<void> {
        const p = `${stack.stage}:`;
        const { bucket, prefix } = stack.userFiles;
        const object = (user: string, file: string) => `arn:aws:s3:::${bucket}/${prefix}/${identityIdOf(stack, user)}/${file}`;
        const objectColumns: ObjectColumn[] = [
            [`${p} read A's file`, "s3:GetObject", object("A", USER_FILE_NAME), "A"],
            [`${p} write A's folder`, "s3:PutObject", object("A", "new.txt"), "A"],
            [`${p} read B's file`, "s3:GetObject", object("B", USER_FILE_NAME), "B"],
        ];
        for (const h of holdings) {
            if (h.kind === "power" && h.power === "bucketControl" && h.target === bucket) {
                for (const [column] of objectColumns) grant(column, h, "its own bucket policy statement");
                grant(`${p} list user files root`, h, "its own bucket policy statement");
            }
            if (h.kind === "token" && h.user === "any" && h.stack === stack.stage) {
                grant(`${p} sign in as any user`, h);
            }
            if (h.kind !== "session") continue;
            await this.sessionCells(stack, h, objectColumns, grant);
        }
        for (const h of holdings) {
            if (h.kind === "power" && h.power === "bucketControl" && (h.target === stack.auditBucket?.bucket || h.target === stack.auditAccessBucket?.bucket)) {
                grant(`${p} stop the audit trail`, h, "its own bucket policy statement");
            }
        }
    }

    /** What one session decides of a stack's columns. */
    private async sessionCells(stack: StackModel, h: Session, objectColumns: readonly ObjectColumn[], grant: Grant): Promise<void> {
        const p = `${stack.stage}:`;
        const { bucket, policy } = stack.userFiles;
        for (const [column, action, resource, victim] of objectColumns) {
            const identityId = h.identityId === "any" ? identityIdOf(stack, victim) : undefined;
            if (await this.can(h, action, resource, { resourcePolicy: policy, identityId })) grant(column, h, `${action} ${resource.split("/").slice(-2).join("/")}`);
        }
        if (await this.can(h, "s3:ListBucket", `arn:aws:s3:::${bucket}`, { resourcePolicy: policy, context: { "s3:prefix": "" } })) {
            grant(`${p} list user files root`, h, "s3:ListBucket of the bucket root");
        }
        for (const route of stack.api.routes) {
            const [method, path] = route.split(" ");
            const arn = `${stack.api.executionArn}/$default/${method}${path}`;
            if (await this.can(h, "execute-api:Invoke", arn)) {
                grant(`${p} invoke ${route}`, h, `execute-api:Invoke ${route}`);
                if (route === ROUTES.admin && h.roleArn === stack.adminRoleArn) grant(`${p} /admin as an admin`, h, "served: a session of the admin identity role");
            }
        }
        const readFile = stack.functions.find((f) => f.name.endsWith("read-file")) ?? stack.functions[0];
        const change = await this.firstAllowed(h, this.resourceChanges(stack, readFile.arn));
        if (change) grant(`${p} change resources`, h, change);
        if (await this.can(h, "lambda:GetFunction", readFile.arn)) grant(`${p} read function code`, h, `lambda:GetFunction ${readFile.name}`);
        if (stack.trailArn) {
            const stop = await this.firstAllowed(h, this.auditTrailStops(stack, stack.trailArn));
            if (stop) grant(`${p} stop the audit trail`, h, stop);
        }
    }

    /** The first of `calls` the session may make, as a step of its chain. */
    private async firstAllowed(h: Session, calls: readonly ProbedCall[]): Promise<string | undefined> {
        for (const [action, resource, options] of calls) {
            if (await this.can(h, action, resource, options)) return `${action} on ${resource.split(/[:/]/).pop()}`;
        }
        return undefined;
    }

    /** Changes to a stack's resources that would change what its people can do. */
    private resourceChanges(stack: StackModel, readFileArn: string): ProbedCall[] {
        const tags = this.tagContext(stack, "ResourceTag");
        const userRole = this.world.roles.find((r) => r.arn === stack.userRoleArn) as RoleModel;
        const changes: [string, string, Record<string, string | string[]>][] = [
            ["lambda:UpdateFunctionCode", readFileArn, {}],
            ["iam:PutRolePolicy", userRole.arn, userRole.boundaryArn ? { "iam:PermissionsBoundary": userRole.boundaryArn } : {}],
            ["iam:UpdateAssumeRolePolicy", userRole.arn, userRole.boundaryArn ? { "iam:PermissionsBoundary": userRole.boundaryArn } : {}],
            ["s3:PutBucketPolicy", `arn:aws:s3:::${stack.userFiles.bucket}`, {}],
            ["cognito-idp:UpdateUserPool", stack.userPool.arn, tags],
            ["cognito-identity:UpdateIdentityPool", stack.identityPool.arn, tags],
            ...this.userPoolProviderChanges(stack),
            // API Gateway management is not probed: the installed catalogue maps the shared
            // `apigateway:*` actions to REST API (V1) resources only, so the engine cannot decide
            // them for HTTP APIs; tests check the CI roles' API Gateway resources by ARN instead.
        ];
        return changes.map(([action, resource, context]) => [action, resource, { context }]);
    }

    /** Calls that would stop, change or erase a stack's audit trail or its logs. */
    private auditTrailStops(stack: StackModel, trailArn: string): ProbedCall[] {
        const { auditBucket: logs, auditAccessBucket: access } = stack;
        const stops: [string, string, object | undefined][] = [
            ["cloudtrail:StopLogging", trailArn, undefined],
            ["cloudtrail:DeleteTrail", trailArn, undefined],
            ["cloudtrail:UpdateTrail", trailArn, undefined],
            ["cloudtrail:PutEventSelectors", trailArn, undefined],
            ...(logs
                ? ([
                      ["s3:PutBucketPolicy", `arn:aws:s3:::${logs.bucket}`, logs.policy],
                      ["s3:DeleteObject", `arn:aws:s3:::${logs.bucket}/AWSLogs/x`, logs.policy],
                      ["s3:PutLifecycleConfiguration", `arn:aws:s3:::${logs.bucket}`, logs.policy],
                      // Switching off the record of who reads or deletes the logs.
                      ["s3:PutBucketLogging", `arn:aws:s3:::${logs.bucket}`, logs.policy],
                  ] as [string, string, object | undefined][])
                : []),
            ...(access
                ? ([
                      ["s3:PutBucketPolicy", `arn:aws:s3:::${access.bucket}`, access.policy],
                      ["s3:DeleteObject", `arn:aws:s3:::${access.bucket}/audit-log-access/x`, access.policy],
                      ["s3:PutLifecycleConfiguration", `arn:aws:s3:::${access.bucket}`, access.policy],
                  ] as [string, string, object | undefined][])
                : []),
            // Account-wide CloudWatch Logs resource policies carry the delivery of the API's access logs.
            ["logs:PutResourcePolicy", "*", undefined],
            ["logs:DeleteResourcePolicy", "*", undefined],
        ];
        return stops.map(([action, resource, resourcePolicy]) => [action, resource, { resourcePolicy }]);
    }
}

type Grant = (column: string, h: Holding, step?: string) => void;

/** A column of a user's object: the column, the S3 action, the object's ARN, and whose object it is. */
type ObjectColumn = [column: string, action: string, resource: string, owner: string];

/** A call a session is probed for, and what the engine is told besides. */
type ProbedCall = readonly [action: string, resource: string, options: { context?: Record<string, string | string[]>; resourcePolicy?: object }];

/**
 * Every column refused, and how a holding is granted one: an allowing chain beats a refusal, a
 * chain of what is held now beats one of stale credentials, and then the shorter chain wins.
 */
function cellSheet(columns: readonly string[]): { cells: Record<string, Cell>; grant: Grant } {
    const cells: Record<string, Cell> = {};
    const grant: Grant = (column, h, step) => {
        const existing = cells[column];
        const chain = step ? [...h.chain, step] : h.chain;
        if (!existing?.allowed || (existing.stale && !h.stale) || (!!existing.stale === !!h.stale && existing.chain.length > chain.length)) {
            cells[column] = { allowed: true, chain, ...(h.stale ? { stale: h.stale } : {}) };
        }
    };
    for (const column of columns) cells[column] = { allowed: false };
    return { cells, grant };
}
