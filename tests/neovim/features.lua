-- Headless Neovim (0.7 or later) with the shipped editors/neovim/sot.lua: hover, signature
-- help, inlay hints, folding, the call hierarchy and the code action that writes a case on
-- $SOT_TEST_FILE, each through what the
-- editor itself offers where its version has it (0.10+: `vim.lsp.inlay_hint`; 0.11:
-- `vim.lsp.foldexpr`), else as the raw request the client sends. Writes `key=value` lines
-- to $SOT_TEST_OUT; every wait polls with a generous timeout, none sleeps a fixed time.

local out = {}
local function log(key, value)
  table.insert(out, key .. "=" .. (tostring(value):gsub("\n", "\\n")))
end

local TIMEOUT = 20000

local function sot_client(buf)
  local found = vim.lsp.get_clients and vim.lsp.get_clients({ name = "sot", bufnr = buf })
    or vim.lsp.buf_get_clients(buf)
  for _, client in pairs(found) do
    if client.name == "sot" then
      return client
    end
  end
end

-- The 0-based line and column of the first `text` in the buffer.
local function find(buf, text)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = line:find(text, 1, true)
    if col then
      return i - 1, col - 1
    end
  end
  error("not in the buffer: " .. text)
end

local function request(buf, method, params)
  local answers, err = vim.lsp.buf_request_sync(buf, method, params, TIMEOUT)
  if not answers then
    return nil, tostring(err)
  end
  for _, answer in pairs(answers) do
    if answer.err then
      error(method .. ": " .. vim.inspect(answer.err))
    end
    return answer.result
  end
end

local function at(buf, line, col)
  return { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = col } }
end

local function run()
  log("version", tostring(vim.version().major) .. "." .. tostring(vim.version().minor))
  vim.cmd("edit " .. vim.fn.fnameescape(vim.env.SOT_TEST_FILE))
  local buf = vim.api.nvim_get_current_buf()
  local attached = vim.wait(TIMEOUT, function()
    local client = sot_client(buf)
    return client ~= nil and client.server_capabilities ~= nil
  end, 50)
  log("attached", attached)
  if not attached then
    return
  end
  local caps = sot_client(buf).server_capabilities

  -- Hover on a use of the indicator: its declaration and doc comment.
  local line, col = find(buf, "arm_fossa == left")
  local hover = request(buf, "textDocument/hover", at(buf, line, col + 1))
  log("hover", hover and hover.contents and hover.contents.value or "none")

  -- Signature help inside the table call.
  line, col = find(buf, "line2_level(3)")
  local help = request(buf, "textDocument/signatureHelp", at(buf, line, col + #"line2_level("))
  local signature = help and help.signatures and help.signatures[1]
  log("signature", signature and signature.label or "none")
  log("signature_active", help and help.activeParameter or "none")

  -- Inlay hints: the editor's own (0.10+), else the request.
  local labels = {}
  local function label_of(hint)
    local label = hint.label
    if type(label) == "table" then
      label = table.concat(vim.tbl_map(function(part) return part.value end, label), "")
    end
    return label
  end
  if vim.lsp.inlay_hint and vim.lsp.inlay_hint.get then
    vim.lsp.inlay_hint.enable(true, { bufnr = buf })
    log("inlay_source", "vim.lsp.inlay_hint")
    vim.wait(TIMEOUT, function()
      return #vim.lsp.inlay_hint.get({ bufnr = buf }) > 0
    end, 50)
    for _, item in ipairs(vim.lsp.inlay_hint.get({ bufnr = buf })) do
      table.insert(labels, item.inlay_hint.position.line .. " " .. label_of(item.inlay_hint))
    end
  else
    log("inlay_source", "request")
    local count = vim.api.nvim_buf_line_count(buf)
    local hints = request(buf, "textDocument/inlayHint", {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      range = { start = { line = 0, character = 0 }, ["end"] = { line = count, character = 0 } },
    }) or {}
    for _, hint in ipairs(hints) do
      table.insert(labels, hint.position.line .. " " .. label_of(hint))
    end
  end
  table.sort(labels)
  for _, label in ipairs(labels) do
    log("inlay", label)
  end

  -- Folding: the editor folds by the server's ranges (0.11), else the request.
  local case_line = find(buf, "case ann")
  if vim.lsp.foldexpr then
    log("fold_source", "vim.lsp.foldexpr")
    vim.wo.foldmethod = "expr"
    vim.wo.foldexpr = "v:lua.vim.lsp.foldexpr()"
    vim.wo.foldlevel = 0
    vim.wait(TIMEOUT, function()
      vim.cmd("normal! zx")
      return vim.fn.foldclosed(case_line + 2) ~= -1
    end, 50)
    log("case_fold", vim.fn.foldclosed(case_line + 2) - 1 .. " " .. vim.fn.foldclosedend(case_line + 2) - 1)
  else
    log("fold_source", "request")
    local folds = request(buf, "textDocument/foldingRange", { textDocument = { uri = vim.uri_from_bufnr(buf) } }) or {}
    for _, fold in ipairs(folds) do
      if fold.startLine == case_line then
        log("case_fold", fold.startLine .. " " .. fold.endLine)
      end
    end
  end
  log("case_line", case_line)
  log("last_line", vim.api.nvim_buf_line_count(buf) - 1)

  -- Call hierarchy: the editor's command fills the quickfix list with what reads the
  -- indicator.
  line, col = find(buf, "indicator arm_fossa")
  vim.api.nvim_win_set_cursor(0, { line + 1, col + #"indicator " })
  vim.fn.setqflist({})
  vim.lsp.buf.outgoing_calls()
  local filled = vim.wait(TIMEOUT, function()
    return #vim.fn.getqflist() > 0
  end, 50)
  log("calls_filled", filled)
  local reads = {}
  for _, entry in ipairs(vim.fn.getqflist()) do
    table.insert(reads, entry.text .. "@" .. (entry.lnum - 1))
  end
  log("outgoing", table.concat(reads, " "))
  log("call_hierarchy_provider", caps.callHierarchyProvider and "yes" or "no")

  -- Code action on a rule no case covers: the case that exercises it, applied as the editor
  -- applies an edit; then the server's inlay verdicts on the new case's `expect` lines.
  line, col = find(buf, "rule occipital_line_two")
  local actions = request(buf, "textDocument/codeAction", {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = line, character = col }, ["end"] = { line = line, character = col } },
    context = { diagnostics = {} },
  }) or {}
  for _, action in ipairs(actions) do
    if action.title:find("Write a case", 1, true) then
      log("case_action", action.title)
      vim.lsp.util.apply_workspace_edit(action.edit, sot_client(buf).offset_encoding or "utf-16")
    end
  end
  local first = find(buf, "case exercise_occipital_line_two")
  log("new_case_line", first)
  local count = vim.api.nvim_buf_line_count(buf)
  log("new_case", table.concat(vim.api.nvim_buf_get_lines(buf, first, count, false), "\n"))
  local hints = request(buf, "textDocument/inlayHint", {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = first, character = 0 }, ["end"] = { line = count, character = 0 } },
  }) or {}
  for _, hint in ipairs(hints) do
    log("new_case_inlay", hint.position.line .. " " .. label_of(hint))
  end
end

local ok, err = pcall(run)
if not ok then
  log("error", err)
end
log("done", true)
vim.fn.writefile(out, vim.env.SOT_TEST_OUT)
vim.cmd("qa!")
