import { invalid, Request } from "../../../http"

/** The count file of a request: a text/plain body or the `csv` field of a JSON body. */
export function csvOf(req: Request): string {
  const body = req.body
  if (typeof body === "string") return body
  if (body && typeof body === "object" && !Array.isArray(body) && typeof (body as { csv?: unknown }).csv === "string") return (body as { csv: string }).csv
  throw invalid(`"csv" is required: send the count file as a text/plain body, or as { "csv": "<the file's text>" }`)
}
