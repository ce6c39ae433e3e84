package localapi

import (
	"net/http"

	"cairn/node/api"
	"cairn/node/mempool"
)

// rejectError turns a mempool rejection into an API error: 503 for a full
// pool (the client should retry later), 400 otherwise, with the mempool's
// reason as the code.
func rejectError(re *mempool.RejectError) *api.Error {
	status := http.StatusBadRequest
	if re.Reason == mempool.ReasonPoolFull {
		status = http.StatusServiceUnavailable
	}
	msg := re.Detail
	if msg == "" {
		msg = "transaction rejected: " + re.Reason
	}
	return &api.Error{Status: status, Code: re.Reason, Message: msg}
}
