// The version of the JSON omemu's commands print (docs/output.md lists
// every field with its unit). It goes up when a field is removed or
// renamed or changes its meaning or unit, so a script can refuse output it
// does not know; a new field keeps it.
export const OUTPUT_SCHEMA = 1;
