package api

import (
	"fmt"
	"net/http"
)

// Error codes of *Error. Mempool rejections use the mempool's reason
// strings (mempool.Reason*) as their code.
const (
	CodeBadRequest       = "bad_request"
	CodeNotFound         = "not_found"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeBodyTooLarge     = "body_too_large"
	CodeTimeout          = "timeout"
	CodeReturnTooLarge   = "return_too_large"
	CodeCallFailed       = "call_failed"
	CodeInternal         = "internal"
	CodeUnavailable      = "unavailable"
	// CodeTooManySubscribers (503) refuses an event stream past the
	// server's cap (ServerOptions.MaxSubscribers).
	CodeTooManySubscribers = "too_many_subscribers"
	// CodeTooSlow ends an event stream, in an "event: error" frame, whose
	// reader fell further behind than its queue allows.
	CodeTooSlow = "too_slow"
)

// Error is an API error: the HTTP status it is served with, a stable
// machine-readable code and a message for people. On the wire it is
// {"error":{"code":…,"message":…}}; the status is the response's.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error returns "code: message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// errorBody is the JSON envelope of an Error.
type errorBody struct {
	Error *Error `json:"error"`
}

// BadRequest is a 400 bad_request with a message.
func BadRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: fmt.Sprintf(format, args...)}
}

// NotFound is a 404 not_found with a message.
func NotFound(format string, args ...any) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: fmt.Sprintf(format, args...)}
}
