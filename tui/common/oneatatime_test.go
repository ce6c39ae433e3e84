package common

import "testing"

func TestOneAtATimeFoldsAsksIntoOneMore(t *testing.T) {
	var o OneAtATime
	if !o.Begin() {
		t.Fatal("the first ask must go out")
	}
	if o.Begin() || o.Begin() {
		t.Fatal("asks while one is out must wait")
	}
	if !o.End() {
		t.Fatal("the asks made meanwhile must be owed one more")
	}
	if !o.Begin() || o.End() {
		t.Fatal("after the one more, nothing is owed")
	}
}
