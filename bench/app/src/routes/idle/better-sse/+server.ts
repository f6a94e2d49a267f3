// Figure 4: better-sse through its Fetch API (createResponse), with its defaults: it opens with
// `retry:2000` and keeps the stream alive with a comment every 10 s.
import { createResponse } from 'better-sse'

export function GET({ request }: { request: Request }): Response {
	return createResponse(request, () => {})
}
