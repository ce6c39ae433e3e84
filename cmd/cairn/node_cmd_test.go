package main

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fakeRunning is a node for serveNode: it can fail by itself.
type fakeRunning struct {
	startErr error
	done     chan struct{}
	err      error
	closed   int
}

func (f *fakeRunning) Start(context.Context) error { return f.startErr }
func (f *fakeRunning) Close() error                { f.closed++; return nil }
func (f *fakeRunning) Done() <-chan struct{}       { return f.done }
func (f *fakeRunning) Err() error {
	select {
	case <-f.done:
		return f.err
	default:
		return nil
	}
}

func TestServeNodeFatal(t *testing.T) {
	wal := errors.New("write WAL: disk full")
	n := &fakeRunning{done: make(chan struct{}), err: wal}
	close(n.done)
	err := serveNode(context.Background(), n)
	if !errors.Is(err, wal) || n.closed != 1 {
		t.Fatalf("fatal stop: %v, closed %d times; want the node's error and one Close", err, n.closed)
	}

	n = &fakeRunning{done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := serveNode(ctx, n); err != nil || n.closed != 1 {
		t.Fatalf("signal stop: %v, closed %d times", err, n.closed)
	}

	n = &fakeRunning{done: make(chan struct{}), startErr: errors.New("port in use")}
	if err := serveNode(context.Background(), n); err == nil || n.closed != 1 {
		t.Fatalf("failed start: %v, closed %d times", err, n.closed)
	}
}

func TestConsoleQuitsOnFatalNode(t *testing.T) {
	wal := errors.New("write WAL: disk full")
	n := &fakeRunning{done: make(chan struct{}), err: wal}
	var slot fatalSlot
	quit := make(chan struct{})
	go slot.watch(context.Background(), n, func() { close(quit) })
	if slot.get() != nil {
		t.Fatal("an error before the node failed")
	}
	close(n.done)
	select {
	case <-quit:
	case <-time.After(10 * time.Second):
		t.Fatal("the console was not told to quit")
	}
	if !errors.Is(slot.get(), wal) {
		t.Fatalf("console error %v, want the node's", slot.get())
	}
}
