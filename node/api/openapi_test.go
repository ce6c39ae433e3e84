package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"cairn/node/api/apitest"
)

func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	return doc
}

func TestOpenAPICoversEveryRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Fatalf("openapi version %q, want 3.1.x", v)
	}
	paths := doc["paths"].(map[string]any)
	documented := map[string]bool{}
	for p, ops := range paths {
		for m := range ops.(map[string]any) {
			documented[strings.ToUpper(m)+" "+p] = true
		}
	}
	for _, rt := range routes {
		key := rt.method + " " + rt.path
		if !documented[key] {
			t.Errorf("route %s is not in openapi.json", key)
		}
		delete(documented, key)
	}
	for key := range documented {
		t.Errorf("openapi.json documents %s, which the server does not serve", key)
	}
}

func TestOpenAPIRefsResolve(t *testing.T) {
	doc := loadOpenAPI(t)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				var node any = doc
				for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
					m, _ := node.(map[string]any)
					node = m[part]
				}
				if node == nil {
					t.Errorf("$ref %s does not resolve", ref)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
}

// jsonFields lists the JSON field names of a struct type.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || name == "" {
			continue
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func TestOpenAPISchemasMatchTypes(t *testing.T) {
	schemas := loadOpenAPI(t)["components"].(map[string]any)["schemas"].(map[string]any)
	types := map[string]any{
		"Status": Status{}, "MempoolCounts": MempoolCounts{}, "ConsensusStatus": ConsensusStatus{},
		"Block": Block{}, "VRF": VRF{}, "Commit": Commit{}, "Tx": Tx{}, "Receipt": Receipt{}, "Log": Log{},
		"Account": Account{}, "Mempool": Mempool{}, "MempoolTx": MempoolTx{}, "CallRequest": CallRequest{},
		"CallResult": CallResult{}, "DroppedTx": DroppedTx{}, "SendTxRequest": sendTxRequest{},
		"SendTxResponse":  sendTxResponse{},
		"SendTxsResponse": sendTxsResponse{}, "TxResult": TxResult{}, "ValidatorList": ValidatorList{}, "Validator": Validator{},
		"Delegation": Delegation{}, "Unbonding": Unbonding{}, "Delegations": Delegations{},
		"LogLine": LogLine{}, "LogList": logList{},
	}
	for name, v := range types {
		s, ok := schemas[name].(map[string]any)
		if !ok {
			t.Errorf("schema %s missing", name)
			continue
		}
		var doc []string
		for p := range s["properties"].(map[string]any) {
			doc = append(doc, p)
		}
		sort.Strings(doc)
		want := jsonFields(reflect.TypeOf(v))
		if name == "Block" {
			want = append(want, "transactions") // written by MarshalJSON
			sort.Strings(want)
		}
		if strings.Join(doc, ",") != strings.Join(want, ",") {
			t.Errorf("schema %s has properties %v, the Go type has %v", name, doc, want)
		}
	}
}

func TestOpenAPIDocumentsErrorCodes(t *testing.T) {
	doc := loadOpenAPI(t)
	code := doc["components"].(map[string]any)["schemas"].(map[string]any)["Error"].(map[string]any)["properties"].(map[string]any)["error"].(map[string]any)["properties"].(map[string]any)["code"].(map[string]any)
	desc, _ := code["description"].(string)
	for _, c := range []string{CodeBadRequest, CodeNotFound, CodeMethodNotAllowed, CodeBodyTooLarge, CodeTimeout,
		CodeReturnTooLarge, CodeCallFailed, CodeInternal, CodeUnavailable, CodeTooManySubscribers, CodeTooSlow} {
		if !strings.Contains(desc, c) {
			t.Errorf("the Error schema's code description does not list %s", c)
		}
	}
	events := doc["paths"].(map[string]any)["/v1/events"].(map[string]any)["get"].(map[string]any)
	refused, ok := events["responses"].(map[string]any)["503"].(map[string]any)
	if !ok || !strings.Contains(refused["description"].(string), CodeTooManySubscribers) {
		t.Errorf("GET /v1/events does not document its 503 %s", CodeTooManySubscribers)
	}
	if d, _ := events["description"].(string); !strings.Contains(d, "event: error") || !strings.Contains(d, CodeTooSlow) {
		t.Errorf("GET /v1/events does not describe the \"event: error\" frame and %s", CodeTooSlow)
	}
}

// TestDocListsEveryRoute keeps the endpoint table of the package doc in
// step with the routes.
func TestDocListsEveryRoute(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^//\t(GET|POST) +(/v1/\S+)`)
	listed := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(string(src), -1) {
		listed[m[1]+" "+m[2]] = true
	}
	for _, rt := range routes {
		key := rt.method + " " + rt.path
		if !listed[key] {
			t.Errorf("route %s is not in doc.go's endpoint table", key)
		}
		delete(listed, key)
	}
	for key := range listed {
		t.Errorf("doc.go lists %s, which the server does not serve", key)
	}
}

func TestOpenAPIServed(t *testing.T) {
	srv := httptest.NewServer(NewServer(nil, ServerOptions{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	got := apitest.JSONMap(t, body)
	if resp.StatusCode != 200 || got["openapi"] != loadOpenAPI(t)["openapi"] || got["paths"] == nil {
		t.Fatalf("served document differs from the embedded one: %d %.200s", resp.StatusCode, body)
	}
}
