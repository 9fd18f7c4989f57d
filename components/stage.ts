/** The deployment stages; each is one Pulumi stack of the same name. */
export const STAGES = ["deve", "stag", "prod"] as const;

export type Stage = (typeof STAGES)[number];

export function isStage(value: string): value is Stage {
    return (STAGES as readonly string[]).includes(value);
}

/** Maps a stack name onto its stage, refusing anything that is not one. */
export function parseStage(stackName: string): Stage {
    if (!isStage(stackName)) {
        throw new Error(
            `Unknown stage '${stackName}': the stack name must be one of ${STAGES.join(", ")}.`,
        );
    }
    return stackName;
}

/** `deve` → `Deve`, used in physical names such as `ApiAllowByIamRoleDeve`. */
export function titleCase(stage: Stage): string {
    return stage.charAt(0).toUpperCase() + stage.slice(1);
}
