/**
 * Physical naming conventions the CI roles' policies rely on: every role the program creates
 * lives under an IAM path of its stage, and every bucket name starts with the stage's prefix,
 * so a deploy role can be limited to exactly what its stage owns.
 */
import { Stage } from "./stage";

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

const ROLE_PATH = /^\/([\w+=,.@-]+\/)*$/;

/** Validates an IAM role path argument, naming the component. */
export function checkRolePath(component: string, path: string | undefined): void {
    if (path !== undefined && (!ROLE_PATH.test(path) || path.length > 512)) {
        throw new Error(`${component}: rolePath must start and end with '/', got '${path}'`);
    }
}
