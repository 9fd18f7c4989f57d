import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { ciDeployPolicy, ciPreviewPolicy, ciStatePolicy, StageScope, StateScope } from "../policies/ci";
import { checkRolePath } from "../config/naming";
import { inlinePolicyText, PolicyDocument } from "../policies/document";
import { smokeChecksPolicy, SmokeScope, webIdentityTrustPolicy, WebIdentityClaims } from "../policies/workload";

/** GitHub Actions' OIDC issuer host and the audience configure-aws-credentials asks for. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_AUDIENCE = "sts.amazonaws.com";

const REPOSITORY = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
const ENVIRONMENT = /^[A-Za-z0-9._-]{1,255}$/;
const BRANCH = /^[A-Za-z0-9._/-]{1,255}$/;
const PROVIDER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/;

export interface GitHubSubjectArgs {
    /** `owner/name` of the only repository whose workflows may assume the roles. */
    readonly repository: string;
    /**
     * `<owner id>/<repository id>`: GitHub's numeric ids of the repository's owner and of the
     * repository. When set, the roles trust GitHub's immutable subjects only,
     * `repo:<owner>@<owner id>/<name>@<repository id>:…`: the default of repositories created
     * after 2026-07-15, and an opt-in for older ones (GitHub's OIDC reference, "Immutable subject
     * claims":
     * https://github.com/github/docs/blob/051718f297e11fadbf357da1e8e756991eb2ed89/content/actions/reference/security/oidc.md).
     * A repository renamed away and re-created under the old name, or a deleted owner name taken
     * by someone else, then presents other ids and gets nothing.
     * @default none: the subjects name the repository only (`repo:<owner>/<name>:…`)
     */
    readonly repositoryIds?: string;
    /**
     * GitHub environment of the deploy job. When set, only jobs of that environment may
     * assume the deploy role.
     * @default none: the deploy role trusts runs on `deployBranch`
     */
    readonly deployEnvironment?: string;
    /** @default "main" */
    readonly deployBranch?: string;
    /**
     * The repository's OIDC subject template includes the `ref` claim (set once with GitHub's
     * "customize the subject claim" API: `include_claim_keys` = `repo`, `context`, `ref`). Then
     * the deploy role trusts its environment on `deployBranch` only, so a run of another branch
     * (a hand-dispatched workflow, a pushed branch naming the environment) gets nothing, whatever
     * the environment's own rules say.
     * @default true
     */
    readonly subjectIncludesRef?: boolean;
}

/**
 * The GitHub environment of the smoke job, which only the smoke role trusts: `<deployEnvironment>-smoke`,
 * or `smoke` without a deploy environment. Never the deploy job's: a job's token names its
 * environment, so the smoke job (and every package it loads) cannot obtain the deploy role.
 */
export function smokeEnvironmentOf(args: Pick<GitHubSubjectArgs, "deployEnvironment">): string {
    return args.deployEnvironment ? `${args.deployEnvironment}-smoke` : "smoke";
}

const REPOSITORY_IDS = /^([1-9]\d{0,19})\/([1-9]\d{0,19})$/;

/**
 * The repository as the `repo` segment of a subject names it: `owner/name`, or with ids
 * `owner@<owner id>/name@<repository id>` (GitHub's immutable format, which keeps the ids even in a
 * customized template).
 */
export function repositoryClaim(args: Pick<GitHubSubjectArgs, "repository" | "repositoryIds">): string {
    if (!args.repositoryIds) return args.repository;
    const ids = REPOSITORY_IDS.exec(args.repositoryIds);
    if (!ids) throw new Error(`repositoryIds must be '<owner id>/<repository id>', GitHub's numeric ids, got '${args.repositoryIds}'`);
    const [owner, name] = args.repository.split("/");
    return `${owner}@${ids[1]}/${name}@${ids[2]}`;
}

/**
 * The `sub` claims GitHub puts in the tokens each role accepts. The customized forms
 * (`repo:<r>:environment:<e>:ref:refs/heads/<b>`, `repo:<r>:pull_request:ref:refs/pull/<n>/merge`)
 * follow GitHub's template of `repo`, `context` and `ref`; they are taken from published
 * examples of that template, not from a token issued here.
 */
export function githubSubjects(args: GitHubSubjectArgs): { preview: WebIdentitySubjects; deploy: WebIdentitySubjects; smoke: WebIdentitySubjects } {
    const repo = `repo:${repositoryClaim(args)}`;
    const branch = `refs/heads/${args.deployBranch ?? "main"}`;
    const smoke = smokeEnvironmentOf(args);
    if (args.subjectIncludesRef ?? true) {
        return {
            // The pull request number varies; nothing else may.
            preview: { subLike: [`${repo}:pull_request:ref:refs/pull/*/merge`] },
            deploy: {
                sub: [args.deployEnvironment ? `${repo}:environment:${args.deployEnvironment}:ref:${branch}` : `${repo}:ref:${branch}:ref:${branch}`],
            },
            smoke: { sub: [`${repo}:environment:${smoke}:ref:${branch}`] },
        };
    }
    return {
        preview: { sub: [`${repo}:pull_request`] },
        deploy: { sub: [args.deployEnvironment ? `${repo}:environment:${args.deployEnvironment}` : `${repo}:ref:${branch}`] },
        smoke: { sub: [`${repo}:environment:${smoke}`] },
    };
}

export type WebIdentitySubjects = Pick<WebIdentityClaims, "sub" | "subLike">;

export interface GitHubCiRolesArgs extends GitHubSubjectArgs {
    /**
     * ARN of the account's existing GitHub OIDC provider (an account has one, so stacks
     * sharing an account name it).
     * @default one is created
     */
    readonly existingProviderArn?: pulumi.Input<string>;
    /** Physical name prefix of the roles, e.g. `federated-access-deve`. */
    readonly roleNamePrefix: string;
    /** IAM path of the roles; keep it outside what the deploy role may change. */
    readonly rolePath: string;
    /** What the stage owns; the preview and deploy roles' rights are limited to it. */
    readonly scope: pulumi.Input<Omit<StageScope, "githubProviderArn">>;
    /**
     * The stack's state, when it lives in an S3 bucket the CI roles must reach.
     * @default none: the state is elsewhere (Pulumi Cloud), and the roles get no S3 state rights
     */
    readonly state?: StateScope;
    /** What the smoke checks touch. */
    readonly smokeScope: pulumi.Input<SmokeScope>;
    /**
     * Whether pull requests get a preview role. A preview runs the pull request's code with the
     * stack's secrets decrypted, so a production stage has none: any author could print its
     * secrets. Its change is reviewed offline (`npm run plan -- --base`) and previewed by
     * `pulumi up` in the deploy job, behind the environment's approval.
     * @default true
     */
    readonly previewRole?: boolean;
    /** Tags applied to every taggable resource. @default {} */
    readonly tags?: Record<string, string>;
}

/**
 * Keyless CI for one stage: GitHub Actions' OIDC provider (or the account's existing one),
 * a preview role for pull requests of one repository (unless `previewRole` is false), a deploy role for its deploy environment
 * and a smoke-check role for its smoke environment (`smokeEnvironmentOf`), both on its main
 * branch, all pinned by audience and subject; no two roles trust the same subject.
 */
export class GitHubCiRoles extends pulumi.ComponentResource {
    public readonly providerArn: pulumi.Output<string>;
    /** None when `previewRole` is false. */
    public readonly previewRole?: aws.iam.Role;
    public readonly deployRole: aws.iam.Role;
    public readonly smokeRole: aws.iam.Role;

    constructor(name: string, args: GitHubCiRolesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("federated-access:ci:GitHubCiRoles", name, {}, opts);
        if (!REPOSITORY.test(args.repository)) {
            throw new Error(`GitHubCiRoles '${name}': repository must be 'owner/name' with no wildcard, got '${args.repository}'`);
        }
        if (args.deployEnvironment !== undefined && (!ENVIRONMENT.test(args.deployEnvironment) || !ENVIRONMENT.test(smokeEnvironmentOf(args)))) {
            throw new Error(`GitHubCiRoles '${name}': deployEnvironment must be a GitHub environment name of at most 249 characters (its smoke job's is '<name>-smoke'), got '${args.deployEnvironment}'`);
        }
        if (args.deployBranch !== undefined && (!BRANCH.test(args.deployBranch) || args.deployBranch.includes("*"))) {
            throw new Error(`GitHubCiRoles '${name}': deployBranch must be a branch name, got '${args.deployBranch}'`);
        }
        if (typeof args.existingProviderArn === "string" && !PROVIDER_ARN.test(args.existingProviderArn)) {
            throw new Error(`GitHubCiRoles '${name}': existingProviderArn must be the ARN of GitHub's OIDC provider, got '${args.existingProviderArn}'`);
        }
        checkRolePath(`GitHubCiRoles '${name}'`, args.rolePath);

        this.providerArn =
            args.existingProviderArn !== undefined
                ? pulumi.output(args.existingProviderArn)
                : new aws.iam.OpenIdConnectProvider(
                      `${name}-github`,
                      { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: [GITHUB_AUDIENCE], tags: args.tags },
                      // One per account: keep it when a stack goes, other stacks may rely on it.
                      { parent: this, retainOnDelete: true },
                  ).arn;

        const subjects = githubSubjects(args);
        const scope = pulumi.all([args.scope, this.providerArn]).apply(([s, githubProviderArn]) => ({ ...s, githubProviderArn }));
        const role = (kind: "preview" | "deploy" | "smoke", trusted: WebIdentitySubjects, rights: pulumi.Output<PolicyDocument>) => {
            const created = new aws.iam.Role(
                `${name}-${kind}`,
                {
                    name: `${args.roleNamePrefix}-ci-${kind}`,
                    path: args.rolePath,
                    description: `GitHub Actions ${kind} role for ${[...(trusted.sub ?? []), ...(trusted.subLike ?? [])].join(", ")}`,
                    assumeRolePolicy: this.providerArn.apply((arn) =>
                        JSON.stringify(webIdentityTrustPolicy(arn, GITHUB_OIDC_HOST, { aud: GITHUB_AUDIENCE, ...trusted })),
                    ),
                    maxSessionDuration: 3600,
                    tags: args.tags,
                },
                { parent: this },
            );
            new aws.iam.RolePolicy(
                `${name}-${kind}-rights`,
                { role: created.name, name: `pulumi-${kind}`, policy: rights.apply((doc) => inlinePolicyText(doc, `GitHubCiRoles '${name}' ${kind} role`)) },
                { parent: this },
            );
            if (args.state && kind !== "smoke") {
                const state = new aws.iam.Policy(
                    `${name}-${kind}-state`,
                    {
                        name: `${args.roleNamePrefix}-ci-${kind}-state`,
                        path: args.rolePath,
                        description: `Pulumi state of stack ${args.state.project}/${args.state.stage} only, for the ${kind} role`,
                        policy: JSON.stringify(ciStatePolicy(args.state, kind)),
                        tags: args.tags,
                    },
                    { parent: this },
                );
                new aws.iam.RolePolicyAttachment(`${name}-${kind}-state`, { role: created.name, policyArn: state.arn }, { parent: this });
            }
            return created;
        };
        this.previewRole = (args.previewRole ?? true) ? role("preview", subjects.preview, scope.apply(ciPreviewPolicy)) : undefined;
        this.deployRole = role("deploy", subjects.deploy, scope.apply(ciDeployPolicy));
        this.smokeRole = role("smoke", subjects.smoke, pulumi.output(args.smokeScope).apply(smokeChecksPolicy));
        this.registerOutputs({
            providerArn: this.providerArn,
            previewRoleArn: this.previewRole?.arn,
            deployRoleArn: this.deployRole.arn,
            smokeRoleArn: this.smokeRole.arn,
        });
    }
}
