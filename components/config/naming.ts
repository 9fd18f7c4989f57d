/**
 * Physical naming conventions the CI roles' policies rely on: every role the program creates
 * lives under an IAM path of its stage, and every bucket name starts with the stage's prefix,
 * so a deploy role can be limited to exactly what its stage owns.
 */
import { Stage, STAGE_NAME } from "./stage";

/** `/<project>/<stage>/`: path of every role of the stage's workloads. */
export function workloadRolePath(project: string, stage: Stage): string {
    return `/${project}/${stage}/`;
}

/** `/<project>-ci/<stage>/`: path of the CI roles, outside what a deploy role may change. */
export function ciRolePath(project: string, stage: Stage): string {
    return `/${project}-ci/${stage}/`;
}

/** `<project>-<stage>-`: start of every bucket name of the stage. */
export function bucketNamePrefix(project: string, stage: Stage): string {
    return `${project}-${stage}-`;
}

/** The stage whose bucket prefix `bucket` starts with, if any stage's could (any valid stage name). */
export function stageOfBucket(project: string, bucket: string): Stage | undefined {
    if (!bucket.startsWith(`${project}-`)) return undefined;
    const stage = bucket.slice(project.length + 1).split("-")[0];
    return STAGE_NAME.test(stage) && bucket.startsWith(bucketNamePrefix(project, stage)) ? stage : undefined;
}

const ROLE_PATH = /^\/([\w+=,.@-]+\/)*$/;

/** Validates an IAM role path argument, naming the component. */
export function checkRolePath(component: string, path: string | undefined): void {
    if (path !== undefined && (!ROLE_PATH.test(path) || path.length > 512)) {
        throw new Error(`${component}: rolePath must start and end with '/', got '${path}'`);
    }
}

/** `<project>-<stage>`: start of the physical name of every role, function and trail of the stage. */
export function stageNamePrefix(project: string, stage: Stage): string {
    return `${project}-${stage}`;
}

/** `/<project>/<stage>/`: start of the name of every log group of the stage. */
export function logGroupPrefix(project: string, stage: Stage): string {
    return `/${project}/${stage}/`;
}

/**
 * Tag keys every taggable resource of a stage carries. The CI roles' rights on resources whose
 * names AWS generates (user pools, identity pools, APIs, OIDC providers) hinge on their values.
 */
export const STAGE_TAG = "stage";
export const PROJECT_TAG = "project";

/**
 * Key prefix, in the user files bucket, of the smoke checks' run records: what a run is about
 * to create is written here first, so a later run can remove what a crashed one left. User
 * folders are `<userFilesPrefix>/<identityId>/`, and `userFilesPrefix` admits only lowercase
 * letters, digits and '-' (components/config/stackSettings.ts): with its '_', this prefix can neither
 * equal one nor start or lie inside a user folder, whatever the stack's configuration. The
 * expirations of run records and the smoke role's grant on them never reach a user file.
 */
export const SMOKE_RECORDS_PREFIX = "smoke_runs/";

/**
 * Where run records were kept before: a stack configured with `userFilesPrefix: smoke-runs`
 * had its user folders there. Its records only expire now, and only where no user folder lies.
 */
export const LEGACY_SMOKE_RECORDS_PREFIX = "smoke-runs/";

/** Whether one key prefix lies inside the other, so that a rule or grant on one reaches keys of the other. */
export function keyPrefixesOverlap(a: string, b: string): boolean {
    return a.startsWith(b) || b.startsWith(a);
}

/**
 * Lifecycle expirations of the smoke checks' run records in a bucket whose user folders lie
 * under `<userFilesPrefix>/`: the records' own prefix, and the legacy one while records written
 * there before the move expire, unless user folders lie there.
 */
export function smokeRecordExpirations(userFilesPrefix: string): { prefix: string; days: number }[] {
    const legacyIsUserFolder = keyPrefixesOverlap(LEGACY_SMOKE_RECORDS_PREFIX, `${userFilesPrefix}/`);
    return [SMOKE_RECORDS_PREFIX, ...(legacyIsUserFolder ? [] : [LEGACY_SMOKE_RECORDS_PREFIX])].map((prefix) => ({ prefix, days: 7 }));
}
