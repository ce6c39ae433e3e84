package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/ethereum/go-ethereum/common"
)

func (s *server) status(w http.ResponseWriter, r *http.Request) error {
	st, err := s.svc.Status(r.Context())
	if err != nil {
		return err
	}
	return s.writeJSON(w, r, st)
}

func (s *server) block(w http.ResponseWriter, r *http.Request) error {
	full, err := boolParam(r, "full")
	if err != nil {
		return err
	}
	b, err := s.svc.Block(r.Context(), r.PathValue("id"), full)
	if err != nil {
		return err
	}
	return s.writeJSON(w, r, b)
}

func (s *server) blocks(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	from := Latest
	if v := q.Get("from"); v != "" && v != "latest" {
		h, err := strconv.ParseUint(v, 10, 64)
		if err != nil || h == Latest {
			return BadRequest("invalid from %.40q: want a decimal height or \"latest\"", v)
		}
		from = h
	}
	limit := DefaultBlocksPage
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return BadRequest("invalid limit %.40q: want a whole number from 1 to %d", v, s.opts.MaxBlocksPage)
		}
		limit = n
	}
	bs, err := s.svc.Blocks(r.Context(), from, min(limit, s.opts.MaxBlocksPage))
	if err != nil {
		return err
	}
	if bs == nil {
		bs = []*Block{}
	}
	return s.writeJSON(w, r, bs)
}

// sendTxRequest is the body of POST /v1/txs: one transaction in raw, or
// a batch in txs.
type sendTxRequest struct {
	Raw *string  `json:"raw"`
	Txs []string `json:"txs"`
}

// sendTxResponse is the answer to POST /v1/txs with raw.
type sendTxResponse struct {
	Hash common.Hash `json:"hash"`
}

// sendTxsResponse is the answer to POST /v1/txs with txs.
type sendTxsResponse struct {
	Results []TxResult `json:"results"`
}

// MaxBatchTxs is the most transactions one POST /v1/txs batch may hold.
const MaxBatchTxs = 1000

func (s *server) sendTx(w http.ResponseWriter, r *http.Request) error {
	var req sendTxRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	if req.Txs != nil {
		if req.Raw != nil {
			return BadRequest(`send either "raw" or "txs", not both`)
		}
		return s.sendTxs(w, r, req.Txs)
	}
	if req.Raw == nil {
		return BadRequest(`missing "raw": send {"raw":"0x…"} with the signed transaction, or {"txs":["0x…", …]}`)
	}
	raw, perr := parseHex(*req.Raw)
	if perr != nil {
		return BadRequest("raw: %s", perr.Message)
	}
	if len(raw) == 0 {
		return BadRequest("raw: empty transaction")
	}
	hash, err := s.svc.SendRawTx(r.Context(), raw)
	if err != nil {
		return err
	}
	return s.writeJSON(w, r, sendTxResponse{Hash: hash})
}

// sendTxs submits a batch. Bytes that are not hex refuse the whole batch
// (nothing is submitted); each transaction is then admitted or rejected
// on its own.
func (s *server) sendTxs(w http.ResponseWriter, r *http.Request, txs []string) error {
	if len(txs) == 0 {
		return BadRequest("txs: empty batch")
	}
	if len(txs) > MaxBatchTxs {
		return BadRequest("txs: %d transactions, limit %d per request", len(txs), MaxBatchTxs)
	}
	raws := make([][]byte, len(txs))
	for i, h := range txs {
		raw, perr := parseHex(h)
		if perr != nil {
			return BadRequest("txs[%d]: %s", i, perr.Message)
		}
		if len(raw) == 0 {
			return BadRequest("txs[%d]: empty transaction", i)
		}
		raws[i] = raw
	}
	results, err := s.svc.SendRawTxs(r.Context(), raws)
	if err != nil {
		return err
	}
	if len(results) != len(raws) {
		return fmt.Errorf("submit batch: %d results for %d transactions", len(results), len(raws))
	}
	return s.writeJSON(w, r, sendTxsResponse{Results: results})
}

func (s *server) tx(w http.ResponseWriter, r *http.Request) error {
	hash, err := ParseHash(r.PathValue("hash"))
	if err != nil {
		return err
	}
	tx, err := s.svc.Tx(r.Context(), hash)
	if err != nil {
		return err
	}
	return s.writeJSON(w, r, tx)
}

func (s *server) account(w http.ResponseWriter, r *http.Request) error {
	addr, err := ParseAddress(r.PathValue("address"))
	if err != nil {
		return err
	}
	acc, err := s.svc.Account(r.Context(), addr)
	if err != nil {
		return err
	}
	return s.writeJSON(w, r, acc)
}

func (s *server) validators(w http.ResponseWriter, r *http.Request) error {
	l, err := s.svc.Validators(r.Context())
	if err != nil {
		return err
	}
	if l.Validators == nil {
		l.Validators = []Validator{}
	}
	return s.writeJSON(w, r, l)
}

func (s *server) validator(w http.ResponseWriter, r *http.Request) error {
	addr, err := ParseAddress(r.PathValue("address"))
	if err != nil {
		return err
	}
	v, err := s.svc.Validator(r.Context(), addr)
	if err != nil {
		return err
	}
	return s.writeJSON(w, r, v)
}

func (s *server) delegations(w http.ResponseWriter, r *http.Request) error {
	addr, err := ParseAddress(r.PathValue("address"))
	if err != nil {
		return err
	}
	d, err := s.svc.Delegations(r.Context(), addr)
	if err != nil {
		return err
	}
	if d.Delegations == nil {
		d.Delegations = []Delegation{}
	}
	if d.Unbondings == nil {
		d.Unbondings = []Unbonding{}
	}
	return s.writeJSON(w, r, d)
}

func (s *server) mempool(w http.ResponseWriter, r *http.Request) error {
	m, err := s.svc.Mempool(r.Context())
	if err != nil {
		return err
	}
	return s.writeJSON(w, r, m)
}

func (s *server) peers(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.svc.Peers(r.Context())
	if err != nil {
		return err
	}
	if ps == nil {
		ps = []Peer{}
	}
	return s.writeJSON(w, r, PeerList{Peers: ps})
}

func (s *server) call(w http.ResponseWriter, r *http.Request) error {
	var req CallRequest
	if err := s.decodeBody(w, r, &req); err != nil {
		return err
	}
	res, err := s.svc.Call(r.Context(), req)
	if err != nil {
		return err
	}
	return s.writeJSON(w, r, res)
}

func (s *server) openapi(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDoc)
	return nil
}

// decodeBody reads one JSON object from a size-limited body into v,
// refusing unknown fields and trailing data.
func (s *server) decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyError(err, s.opts.MaxBodyBytes)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return bodyError(err, s.opts.MaxBodyBytes)
		}
		return BadRequest("invalid JSON body: unexpected data after the object")
	}
	return nil
}

// bodyError explains why a request body could not be read.
func bodyError(err error, limit int64) *Error {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeBodyTooLarge,
			Message: "request body is larger than " + strconv.FormatInt(limit, 10) + " bytes"}
	case errors.Is(err, io.EOF):
		return BadRequest("empty request body: send a JSON object")
	}
	return BadRequest("invalid JSON body: %v", err)
}

// boolParam reads an optional boolean query parameter.
func boolParam(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, BadRequest("invalid %s %.40q: want true or false", name, v)
	}
	return b, nil
}
