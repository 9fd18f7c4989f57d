/**
 * The access report: every person × every capability of every stack, each cell with the
 * chain that reaches it, and the promises it breaks. Plain data in (the synthesized stacks),
 * plain data out (for the plan, the reviewed expectation and the tests).
 */
import { peopleOf } from "./people";
import { violations, Violation } from "./promises";
import { ESCALATION_METHODS, Person, ReachModel } from "./reach";
import { buildWorld, SynthesizedStack, World } from "./world";

export type CellText = "Allowed" | "Denied" | `Allowed ${string}`;

export interface AccessRow {
    readonly person: string;
    readonly kind: Person["kind"];
    readonly cells: Record<string, CellText>;
    /** How each allowed cell is reached. */
    readonly chains: Record<string, readonly string[]>;
}

export interface AccessReport {
    readonly columns: readonly string[];
    readonly rows: readonly AccessRow[];
    readonly violations: readonly Violation[];
    readonly escalationMethods: readonly string[];
}

/** Runs the people model over the stacks, all placed in `account`. */
export async function accessReport(stacks: readonly SynthesizedStack[], account: string, adjust?: (world: World) => World): Promise<AccessReport> {
    const built = buildWorld(stacks, account);
    const world = adjust ? adjust(built) : built;
    const model = new ReachModel(world);
    const reaches = [];
    for (const person of peopleOf(world)) {
        reaches.push(await model.reach(person));
    }
    return {
        columns: model.columns(),
        rows: reaches.map(({ person, cells }) => ({
            person: person.name,
            kind: person.kind,
            cells: Object.fromEntries(
                Object.entries(cells).map(([column, cell]) => [column, cell.allowed ? (cell.stale ? (`Allowed ${cell.stale}` as CellText) : "Allowed") : "Denied"]),
            ),
            chains: Object.fromEntries(Object.entries(cells).flatMap(([column, cell]) => (cell.allowed ? [[column, cell.chain]] : []))),
        })),
        violations: violations(reaches, world),
        escalationMethods: ESCALATION_METHODS,
    };
}

/** The columns of one stack (and the account-wide one), for that stack's view. */
export function columnsOf(report: AccessReport, stage: string): string[] {
    return report.columns.filter((c) => c.startsWith(`${stage}: `) || !c.includes(": "));
}

/** The cells only, per stack, as the reviewed expectation records them. */
export function expectationOf(report: AccessReport, stage: string): Record<string, Record<string, CellText>> {
    const columns = columnsOf(report, stage);
    return Object.fromEntries(report.rows.map((row) => [row.person, Object.fromEntries(columns.map((c) => [c, row.cells[c]]))]));
}

/** Cell-by-cell differences between a reviewed expectation and the current report, one line each. */
export function diffExpectation(stage: string, expected: Record<string, Record<string, string>> | undefined, actual: Record<string, Record<string, string>>): string[] {
    const lines: string[] = [];
    const e = expected ?? {};
    for (const person of new Set([...Object.keys(e), ...Object.keys(actual)])) {
        if (!e[person] || !actual[person]) {
            lines.push(`${stage}: person '${person}' ${e[person] ? "disappeared" : "is new"}`);
            continue;
        }
        for (const column of new Set([...Object.keys(e[person]), ...Object.keys(actual[person])])) {
            if (e[person][column] !== actual[person][column]) {
                lines.push(`${stage}: ${person} × ${column}: expected ${e[person][column] ?? "(no column)"}, now ${actual[person][column] ?? "(no column)"}`);
            }
        }
    }
    return lines;
}

/** One readable line per violation. */
export function formatViolation(v: Violation): string {
    return `${v.person} × ${v.column} (${v.promise}): ${v.chain.join(" → ")}`;
}
