import type { ServerFunction } from "../db/server-functions"
import { SUM_LEVELS_FUNCTIONS } from "./levels"
import { RESERVE_ONE_FUNCTION } from "./reservations"

/**
 * Every server function the module calls (see db/server-functions), as the migrations create
 * them: a checkout's availability check and its single reservation.
 */
export const SERVER_FUNCTIONS: readonly ServerFunction[] = [...Object.values(SUM_LEVELS_FUNCTIONS), RESERVE_ONE_FUNCTION]
