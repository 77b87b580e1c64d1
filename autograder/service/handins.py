"""Taking a hand-in in, shared by the upload form and the JSON API: caps, policy, queue, store.

Guarantees: a body is refused as soon as it passes ``MAX_UPLOAD_BYTES`` while it streams
(:func:`read_capped`, never read whole first); the queue is bounded (``MAX_QUEUED``: a full
queue answers 503 with ``Retry-After``); the course's ``[serve]`` policy (attempts,
cool-down, late hand-ins) is what :func:`hand_in_refusal_now` answers, and callers check it
right before :func:`accept` stores the hand-in, with no ``await`` in between, so racing
requests cannot both pass a limit.
"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from autograder.course.policy import Refusal, hand_in_refusal
from autograder.service.context import MAX_UPLOAD_BYTES, Service

MAX_QUEUED = 500


class TooLarge(Exception):
    """The request body is over the cap."""


async def read_capped(request: Request, cap: int = MAX_UPLOAD_BYTES) -> bytes:
    """The request body, refused as soon as it passes ``cap`` bytes (never read whole first)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def hand_in_refusal_now(service: Service, student: str, assignment) -> Refusal | None:
    """Why ``student`` may not hand in ``assignment`` now under the course's ``[serve]`` policy, or None."""
    earlier = [a.received for a in service.store.attempts(student, assignment.id)]
    return hand_in_refusal(service.policy, due=assignment.due, earlier=earlier, now=service.clock())


def retry_headers(refusal: Refusal) -> dict[str, str]:
    return {"Retry-After": str(refusal.retry_after)} if refusal.retry_after is not None else {}


def queue_full(service: Service) -> Response | None:
    if service.store.count("queued") >= MAX_QUEUED:
        return JSONResponse({"error": "the grading queue is full: try again in a minute"}, status_code=503,
                            headers={"Retry-After": "60"})
    return None


def accept(service: Service, student: str, assignment_id: str, data: bytes):
    attempt = service.store.add_attempt(student, assignment_id, data, received=service.clock())
    service.poke()
    return attempt
