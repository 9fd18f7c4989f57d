/**
 * Stages are configuration: each is one Pulumi stack, `Pulumi.<stage>.yaml`, and what differs
 * between stages (the caller role it trusts, protection, retention…) lives in that file. The
 * stages shipped are deve, stag and prod; a new one is a new stack file.
 */

/** The stages this repository ships, each with its stack file. */
export const SHIPPED_STAGES = ["deve", "stag", "prod"] as const;

/** A stage name: the name of its Pulumi stack. */
export type Stage = string;

/**
 * 2 to 8 characters, lowercase letters and digits, starting with a letter. Stage names go into
 * physical names (`<project>-<stage>-…` buckets, whose prefix S3 caps at 37 characters with the
 * provider's generated suffix) and into the prefixes the CI roles are scoped by. No '-': with
 * one, a stage `deve-x` would start with `deve-`, the prefix of deve's buckets, functions and
 * roles, and fall under deve's pipeline.
 */
export const STAGE_NAME = /^[a-z][a-z0-9]{1,7}$/;

/**
 * What a stage serves, set by its stack file (`tier`). It picks the caller role the stage
 * trusts (the seed's mapping: development stages trust the caller's development role,
 * production its production role) and whether its data may ever go unprotected.
 */
export const TIERS = ["development", "production"] as const;
export type Tier = (typeof TIERS)[number];

export function isStage(value: string): value is Stage {
    return STAGE_NAME.test(value);
}

/** Maps a stack name onto its stage, refusing a name that cannot be one. */
export function parseStage(stackName: string): Stage {
    if (!isStage(stackName)) {
        throw new Error(
            `Invalid stage '${stackName}': a stack name is its stage's name, 2-8 lowercase letters and digits starting with a letter (no '-': a stage named like another's prefix would fall under that stage's pipeline), such as ${SHIPPED_STAGES.join(", ")}.`,
        );
    }
    return stackName;
}

/** `deve` → `Deve`, used in physical names such as `ApiAllowByIamRoleDeve`. */
export function titleCase(stage: Stage): string {
    return stage.charAt(0).toUpperCase() + stage.slice(1);
}
