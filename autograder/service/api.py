"""The JSON API of ``grade serve`` (and the notebook download, which pages link to as well).

    GET  /api/assignments                              api_assignments  the caller's assignments and attempts
    GET  /api/assignments/{assignment}/notebook        notebook         the caller's released notebook
    GET  /assignments/{assignment}/notebook            notebook         (the same, from the pages)
    POST /api/assignments/{assignment}/submissions     api_submit       hand in (Bearer only): 202 + attempt id
    GET  /api/submissions/{attempt}                    api_submission   an attempt's status and points

Guarantees: a hand-in through the API takes ``Authorization: Bearer <token>`` only (no
cookie, so no CSRF); every lookup is by the caller's id (another student's attempt answers
404, as one that does not exist); the notebook comes from ``release/<assignment>/<student>/``
of the caller for an assignment the course lists; the body is capped while it streams and
the ``[serve]`` policy is checked again, with no ``await``, right before the hand-in is stored.
"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from autograder.service.attempt_views import attempt_view, own_attempt
from autograder.service.context import MAX_UPLOAD_BYTES, Service, find_assignment
from autograder.service.handins import (TooLarge, accept, hand_in_refusal_now, queue_full, read_capped,
                                        retry_headers)
from autograder.service.identity import who


async def api_assignments(request: Request) -> Response:
    service: Service = request.app.state.service
    caller = who(request)
    if caller is None:
        return JSONResponse({"error": "sign in: Authorization: Bearer <token>"}, status_code=401)
    return JSONResponse([{"id": a.id, "title": a.title, "due": a.due.isoformat(),
                          "attempts": [attempt_view(service, x) for x in service.store.attempts(caller[0], a.id)]}
                         for a in service.course.assignments])


async def notebook(request: Request) -> Response:
    service: Service = request.app.state.service
    caller = who(request)
    assignment = find_assignment(service, request.path_params["assignment"])
    if caller is None:
        return JSONResponse({"error": "sign in first"}, status_code=401)
    if assignment is None:
        return JSONResponse({"error": "no such assignment"}, status_code=404)
    path = service.released_notebook(assignment.id, caller[0])
    if not path.is_file():
        return JSONResponse({"error": f"{assignment.id} has not been released to you yet"}, status_code=404)
    data = path.read_bytes()
    if service.policy.submit_cell:
        from autograder.course.notebooks import with_submit_cell

        # The token of the caller's link when they came with it (the API); else the cell asks for it.
        token = request.headers["authorization"][7:].strip() if caller[2] == "bearer" else ""
        data = with_submit_cell(data, assignment.id, str(request.base_url), token)
    return Response(data, media_type="application/x-ipynb+json", headers={
        "Content-Disposition": f'attachment; filename="{assignment.id}.ipynb"'})


async def api_submit(request: Request) -> Response:
    service: Service = request.app.state.service
    caller = who(request)
    assignment = find_assignment(service, request.path_params["assignment"])
    if caller is None or caller[2] != "bearer":
        return JSONResponse({"error": "use Authorization: Bearer <token>"}, status_code=401)
    if assignment is None:
        return JSONResponse({"error": "no such assignment"}, status_code=404)
    refusal = hand_in_refusal_now(service, caller[0], assignment)
    if refusal is None:
        full = queue_full(service)
        if full is not None:
            return full
        try:
            data = await read_capped(request)
        except TooLarge:
            return JSONResponse({"error": f"the notebook is over {MAX_UPLOAD_BYTES // 1024**2} MiB"},
                                status_code=413)
        # checked again with no await before the store: two requests racing cannot both pass the limit
        refusal = hand_in_refusal_now(service, caller[0], assignment)
    if refusal is not None:
        return JSONResponse({"error": refusal.message, "retry_after": refusal.retry_after},
                            status_code=refusal.status, headers=retry_headers(refusal))
    attempt = accept(service, caller[0], assignment.id, data)
    return JSONResponse({"id": attempt.id, "status": attempt.status}, status_code=202)


async def api_submission(request: Request) -> Response:
    service: Service = request.app.state.service
    caller = who(request)
    if caller is None:
        return JSONResponse({"error": "sign in first"}, status_code=401)
    attempt = own_attempt(service, caller, request.path_params["attempt"])
    if attempt is None:
        return JSONResponse({"error": "no such submission"}, status_code=404)
    view = attempt_view(service, attempt, for_student=caller[1] != "admin")
    return JSONResponse({key: view[key] for key in ("id", "status", "points", "max_points", "feedback_url")})
