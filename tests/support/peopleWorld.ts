/** Scratch copies of the synthesized stacks for the people-model tests, and the violations of named people in them. */
import * as assert from "assert";

import { formatViolation } from "../../analysis/access";
import { peopleOf } from "../../analysis/people";
import { violations } from "../../analysis/promises";
import { ReachModel } from "../../analysis/reach";
import { buildWorld, SynthesizedResource, SynthesizedStack } from "../../analysis/world";
import { ACCOUNT_ID } from "../harness";

/** A copy of the stacks with one resource's inputs changed. */
export function editResource(stacks: readonly SynthesizedStack[], stage: string, name: string, edit: (inputs: Record<string, any>) => Record<string, any>, type?: string): SynthesizedStack[] {
    let found = false;
    const copy = stacks.map((stack) => ({
        ...stack,
        resources: stack.resources.map((r): SynthesizedResource => {
            if (stack.stack !== stage || r.name !== name || (type !== undefined && r.type !== type)) return r;
            found = true;
            return { ...r, inputs: edit(structuredClone(r.inputs)) };
        }),
    }));
    assert.ok(found, `no resource ${name} in ${stage}`);
    return copy;
}

/** A copy of the stacks with one policy document (a JSON input) changed. */
export function editPolicy(stacks: readonly SynthesizedStack[], stage: string, name: string, field: string, edit: (doc: any) => void, type?: string): SynthesizedStack[] {
    return editResource(
        stacks,
        stage,
        name,
        (inputs) => {
            const doc = JSON.parse(inputs[field]);
            edit(doc);
            return { ...inputs, [field]: JSON.stringify(doc) };
        },
        type,
    );
}

/** The violations of the named people only (the whole model takes seconds; a person, a fraction). */
export async function violationsOf(stacks: readonly SynthesizedStack[], ...names: string[]): Promise<string[]> {
    const world = buildWorld(stacks, ACCOUNT_ID);
    const model = new ReachModel(world);
    const people = peopleOf(world).filter((p) => names.includes(p.name));
    assert.strictEqual(people.length, names.length, `people ${names.join(", ")}`);
    const reaches = [];
    for (const person of people) reaches.push(await model.reach(person));
    return violations(reaches, world).map(formatViolation);
}

