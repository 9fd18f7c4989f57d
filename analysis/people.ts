/**
 * The people of the access model and what each holds to begin with. Users hold IdTokens of
 * their stage's app client; a demoted admin also holds the admin IdToken issued before the
 * demotion; a signed-out user holds a revoked one; a pull-request author holds the GitHub
 * tokens of every run they can start (pull requests, pushes and dispatches of their branches);
 * a stage's deploy pipeline holds the token of its environment on the main branch; the caller
 * account's roles and an outsider hold sessions of their own accounts, allowed by their own
 * policies to try anything.
 */
import { Holding, Person } from "./reach";
import { StackModel, World } from "./world";

/** An account that is neither this project's nor the caller's. */
export const OUTSIDER_ACCOUNT = "999988887777";

const TRY_ANYTHING = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

/**
 * The environment of a stage's smoke job: `<deploy environment>-smoke` (deploy-stage.yml; the smoke
 * role's trust is built by components/ci/githubCi.ts `smokeEnvironmentOf`, which tests/workflows.test.ts
 * holds to the workflow). Written out here so the model reads no Pulumi code.
 */
export const smokeEnvironmentOf = (args: { deployEnvironment?: string }) => (args.deployEnvironment ? `${args.deployEnvironment}-smoke` : "smoke");

/**
 * The repository as a subject's `repo` segment names it: `owner/name`, or, with the stack's
 * `githubRepositoryIds` (`<owner id>/<repository id>`), GitHub's immutable form
 * `owner@<owner id>/name@<repository id>` (components/ci/githubCi.ts `repositoryClaim`, written out here
 * so the model reads no Pulumi code).
 */
export function repositorySegment(repository: string, ids: string | undefined): string {
    if (!ids) return repository;
    const [owner, name] = repository.split("/");
    const [ownerId, repositoryId] = ids.split("/");
    return `${owner}@${ownerId}/${name}@${repositoryId}`;
}

/** `sub` claims of GitHub Actions tokens, in the repository's subject template. */
export function githubSubject(repository: string, includesRef: boolean, context: { pullRequest: number } | { environment: string; branch: string } | { branch: string }): string {
    const repo = `repo:${repository}`;
    if ("pullRequest" in context) {
        return includesRef ? `${repo}:pull_request:ref:refs/pull/${context.pullRequest}/merge` : `${repo}:pull_request`;
    }
    const ref = `refs/heads/${context.branch}`;
    if ("environment" in context) {
        return includesRef ? `${repo}:environment:${context.environment}:ref:${ref}` : `${repo}:environment:${context.environment}`;
    }
    return includesRef ? `${repo}:ref:${ref}:ref:${ref}` : `${repo}:ref:${ref}`;
}

function callerSession(account: string, role: string, chain: string): Holding {
    return {
        kind: "session",
        roleArn: `arn:aws:iam::${account}:role/${role}`,
        policies: [TRY_ANYTHING],
        boundaries: [],
        label: role,
        chain: [chain],
    };
}

/**
 * Minutes the identity pool's credentials last: GetCredentialsForIdentity issues credentials
 * that expire after one hour (Amazon Cognito documentation of the enhanced flow; not verifiable
 * offline). No sign-out or group change shortens them: they outlive the change by up to this.
 */
export const IDENTITY_CREDENTIALS_MINUTES = 60;

/** Every person of the model, from the stacks' configuration and resources. */
export function peopleOf(world: World): Person[] {
    const repositories = [...new Set(world.stacks.map((st) => st.config["federated-access:githubRepository"]).filter((r): r is string => !!r))];
    return [...world.stacks.flatMap(stageUsers), ...repositories.flatMap((repository) => repositoryPeople(world, repository, repositories.length > 1)), ...callerPeople(world)];
}

function token(stage: string, user: string, groups: string[], chain: string, extra: { revoked?: boolean; stale?: string } = {}): Holding {
    return {
        kind: "token",
        stack: stage,
        user,
        groups,
        revoked: extra.revoked ?? false,
        chain: [chain],
        ...(extra.stale ? { stale: extra.stale } : {}),
    };
}

/** A stage's users: A and B, an admin, a demoted admin and a signed-out user, with the tokens each holds. */
function stageUsers(stack: StackModel): Person[] {
    const s = stack.stage;
    const c = IDENTITY_CREDENTIALS_MINUTES;
    // Credentials obtained with the old IdToken just before it expires last one more hour.
    const validity = `until the credentials of its IdToken issued before the change expire (≤ ${stack.userPool.idTokenValidityMinutes} + ${c} min)`;
    return [
        { id: `${s}-user-a`, name: `${s} user A`, stage: s, kind: "user", user: "A", holds: [token(s, "A", ["user"], `IdToken of user A (group user)`)] },
        { id: `${s}-user-b`, name: `${s} user B`, stage: s, kind: "user", user: "B", holds: [token(s, "B", ["user"], `IdToken of user B (group user)`)] },
        { id: `${s}-admin`, name: `${s} admin`, stage: s, kind: "admin", user: "C", holds: [token(s, "C", ["admin"], `IdToken of admin C (group admin)`)] },
        {
            id: `${s}-demoted`,
            name: `${s} demoted admin`,
            stage: s,
            kind: "demoted",
            user: "D",
            holds: [
                token(s, "D", ["user"], `IdToken of D after removal from admin`),
                token(s, "D", ["admin"], `IdToken of D issued while still an admin`, { stale: validity }),
            ],
        },
        {
            id: `${s}-signed-out`,
            name: `${s} signed-out user`,
            stage: s,
            kind: "signed-out",
            user: "E",
            holds: [
                token(s, "E", ["user"], `IdToken of E, revoked by a global sign-out`, { revoked: true }),
                token(s, "E", ["user"], `credentials E obtained before the sign-out`, { stale: `until the credentials obtained before the sign-out expire (≤ ${c} min)` }),
            ],
        },
    ];
}

/** What the people of one repository's CI see of its stacks: subject form, environments, ids. */
interface RepositoryView {
    readonly repository: string;
    readonly ciStacks: StackModel[];
    /** The repository's own subject segment (with its ids when its stacks pin them). */
    readonly own: string;
    readonly ids: string | undefined;
    readonly includesRef: (stage: string) => boolean;
    readonly environment: (stage: string) => string | undefined;
    /** Stacks of different repositories: each repository's people carry its name. */
    readonly name: (name: string) => string;
    readonly id: (id: string) => string;
}

/** The people of one repository's CI: a pull-request author, each stage's pipeline, a fork and a namesake repository. */
function repositoryPeople(world: World, repository: string, severalRepositories: boolean): Person[] {
    const ciStacks = world.stacks.filter((st) => st.config["federated-access:githubRepository"] === repository);
    // The repository's own tokens carry its ids when its stacks pin them (a repository has one subject form).
    const ids = ciStacks.map((st) => st.config["federated-access:githubRepositoryIds"]).find((i) => !!i);
    const view: RepositoryView = {
        repository,
        ciStacks,
        own: repositorySegment(repository, ids),
        ids,
        includesRef: (stage) => world.stacks.find((st) => st.stage === stage)?.config["federated-access:githubSubjectIncludesRef"] !== "false",
        environment: (stage) => world.stacks.find((st) => st.stage === stage)?.config["federated-access:githubDeployEnvironment"],
        name: (name) => (severalRepositories ? `${name} (${repository})` : name),
        id: (id) => (severalRepositories ? `${id}-${repository.replace(/[^A-Za-z0-9]+/g, "-")}` : id),
    };
    return [pullRequestAuthor(view), ...ciStacks.map((stack) => pipeline(view, stack)), forkWorkflow(view), namesakeWorkflow(view)];
}

/**
 * A pull-request author with write access runs any workflow file of their branch: pull
 * requests, pushes, and jobs naming any environment (a dispatch of their branch).
 */
function pullRequestAuthor({ ciStacks, own, includesRef, environment, name, id }: RepositoryView): Person {
    const authorTokens: Holding[] = [];
    for (const stack of ciStacks) {
        const ref = includesRef(stack.stage);
        authorTokens.push(
            { kind: "github", sub: githubSubject(own, ref, { pullRequest: 42 }), chain: [`GitHub token of a pull request`] },
            { kind: "github", sub: githubSubject(own, ref, { branch: "feature" }), chain: [`GitHub token of a push to branch feature`] },
        );
        const env = environment(stack.stage);
        for (const named of [env, smokeEnvironmentOf({ deployEnvironment: env })].filter((e): e is string => !!e)) {
            authorTokens.push({ kind: "github", sub: githubSubject(own, ref, { environment: named, branch: "feature" }), chain: [`GitHub token of a job of environment ${named} run from branch feature`] });
        }
    }
    const unique = [...new Map(authorTokens.map((t) => [t.kind === "github" ? t.sub : "", t])).values()];
    return { id: id("pr-author"), name: name("pull-request author"), kind: "pr-author", holds: unique };
}

/** A stage's deploy pipeline on main. The deploy workflow runs the smoke job too: whoever controls it holds both jobs' tokens. */
function pipeline({ own, includesRef, environment }: RepositoryView, stack: StackModel): Person {
    const env = environment(stack.stage);
    const sub = env ? githubSubject(own, includesRef(stack.stage), { environment: env, branch: "main" }) : githubSubject(own, includesRef(stack.stage), { branch: "main" });
    const smoke = githubSubject(own, includesRef(stack.stage), { environment: smokeEnvironmentOf({ deployEnvironment: env }), branch: "main" });
    return {
        id: `${stack.stage}-pipeline`,
        name: `${stack.stage} deploy pipeline`,
        stage: stack.stage,
        kind: "pipeline",
        holds: [
            { kind: "github", sub, chain: [`GitHub token of the ${stack.stage} deploy job on main`] },
            { kind: "github", sub: smoke, chain: [`GitHub token of the ${stack.stage} smoke job on main`] },
        ],
    };
}

function forkWorkflow({ repository, ciStacks, includesRef, environment, name, id }: RepositoryView): Person {
    return {
        id: id("other-repository"),
        name: name("another repository's workflow"),
        kind: "outsider",
        holds: ciStacks.map((st) => ({ kind: "github" as const, sub: githubSubject(`${repository}-fork`, includesRef(st.stage), { environment: environment(st.stage) ?? st.stage, branch: "main" }), chain: ["GitHub token of a fork"] })),
    };
}

/**
 * A repository created under the same name after this one was renamed or deleted. GitHub
 * gives a repository created after 2026-07-15 the immutable subject form with its own ids
 * (GitHub's OIDC reference, "Immutable subject claims"), so it presents other ids whatever
 * this repository's form. (GitHub Enterprise Server has no immutable subjects: there a
 * namesake presents the name-only form, which only githubRepositoryIds refuses; not modelled.)
 */
function namesakeWorkflow({ repository, ciStacks, ids, includesRef, environment, name, id }: RepositoryView): Person {
    const [owner, repositoryName] = repository.split("/");
    const ownerId = ids?.split("/")[0] ?? "1";
    return {
        id: id("namesake-repository"),
        name: name("a namesake repository's workflow"),
        kind: "outsider",
        holds: ciStacks.flatMap((st) =>
            [`${owner}@${ownerId}/${repositoryName}@999999999`].map((segment) => ({
                kind: "github" as const,
                sub: githubSubject(segment, includesRef(st.stage), { environment: environment(st.stage) ?? st.stage, branch: "main" }),
                chain: [`GitHub token of a namesake repository's ${environment(st.stage) ?? st.stage} job on main`],
            })),
        ),
    };
}

/** A session of each caller role the stacks trust, and an outsider holding the same role names in another account. */
function callerPeople(world: World): Person[] {
    const people: Person[] = [];
    const callers = new Map<string, string>();
    for (const stack of world.stacks) {
        const account = stack.config["federated-access:callerAccountId"];
        for (const key of ["callerDevRoleName", "callerProdRoleName"]) {
            const role = stack.config[`federated-access:${key}`] ?? (key === "callerDevRoleName" ? "LambdaRoleDeve" : "LambdaRoleProd");
            callers.set(`${account}/${role}`, role);
        }
    }
    const roleNames = [...callers.values()];
    for (const [id, role] of callers) {
        const [account] = id.split("/");
        // The same role name in two caller accounts: two people, told apart by their account.
        const shared = roleNames.filter((r) => r === role).length > 1;
        people.push({
            id: shared ? `caller-${role}-${account}` : `caller-${role}`,
            name: shared ? `caller ${role} (${account})` : `caller ${role}`,
            kind: "caller",
            holds: [callerSession(account, role, `a session of ${role} in the caller account ${account}`)],
        });
    }
    people.push({
        id: "outsider",
        name: "outsider (another account)",
        kind: "outsider",
        holds: [...new Set(roleNames)].map((role) => callerSession(OUTSIDER_ACCOUNT, role, `a session of ${role} in account ${OUTSIDER_ACCOUNT}`)),
    });
    return people;
}
