export { type ProcedureLookup } from './procedure-lookup';
/** Injection token of the ProcedureLookup (SqlProcedureLookup until the procedures feature provides its own). */
export const PROCEDURE_LOOKUP = Symbol('PROCEDURE_LOOKUP');
