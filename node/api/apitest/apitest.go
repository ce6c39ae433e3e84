// Package apitest holds the checks the API's tests share: an answer's
// error envelope, a JSON object, a bounded wait on a channel.
package apitest

import (
	"encoding/json"
	"testing"
	"time"
)

// JSONMap decodes data as one JSON object, failing the test otherwise.
func JSONMap(t testing.TB, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, data)
	}
	return m
}

// WantError checks an error response's status, JSON shape
// ({"error":{"code","message"}}) and code, and returns its message.
func WantError(t testing.TB, code int, body []byte, wantStatus int, wantCode string) string {
	t.Helper()
	if code != wantStatus {
		t.Fatalf("status %d, want %d (body %s)", code, wantStatus, body)
	}
	m := JSONMap(t, body)
	e, ok := m["error"].(map[string]any)
	if !ok || len(m) != 1 {
		t.Fatalf("error body %s is not {\"error\":{…}}", body)
	}
	if e["code"] != wantCode {
		t.Fatalf("error code %v, want %q (body %s)", e["code"], wantCode, body)
	}
	msg, _ := e["message"].(string)
	if msg == "" {
		t.Fatalf("error without a message: %s", body)
	}
	return msg
}

// Wait receives from ch within a bounded time (10 s), failing the test if
// nothing comes or ch closes.
func Wait[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v, ok := <-ch:
		if !ok {
			t.Fatalf("%s: channel closed", what)
		}
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
	panic("unreachable")
}
