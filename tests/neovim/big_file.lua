-- Headless Neovim with the shipped editors/neovim/sot.lua on a big file ($SOT_TEST_FILE, the
-- `tools/gen_protocol.py 10000` protocol in a project with a `.git`): what a user does while
-- Neovim (0.9 and later) asks for semantic tokens after every change. Ten rounds of a typo
-- (its diagnostic must appear) and its fix (the diagnostic must go), each timed. Writes
-- `key=value` lines to $SOT_TEST_OUT; every wait polls with a generous timeout.

local out = {}
local function log(key, value)
  table.insert(out, key .. "=" .. (tostring(value):gsub("\n", "\\n")))
end

local TIMEOUT = 60000
local uv = vim.uv or vim.loop

local function sot_client(buf)
  local found = vim.lsp.get_clients and vim.lsp.get_clients({ name = "sot", bufnr = buf })
    or vim.lsp.buf_get_clients(buf)
  for _, client in pairs(found) do
    if client.name == "sot" then
      return client
    end
  end
end

local function errors(buf)
  return #vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR })
end

-- Milliseconds until `done()` holds, or nil after TIMEOUT.
local function timed(done)
  local start = uv.hrtime()
  if not vim.wait(TIMEOUT, done, 5) then
    return nil
  end
  return math.floor((uv.hrtime() - start) / 1e6)
end

local function run()
  log("version", tostring(vim.version().major) .. "." .. tostring(vim.version().minor))
  local start = uv.hrtime()
  vim.cmd("edit " .. vim.fn.fnameescape(vim.env.SOT_TEST_FILE))
  local buf = vim.api.nvim_get_current_buf()
  local attached = vim.wait(TIMEOUT, function()
    local client = sot_client(buf)
    return client ~= nil and client.server_capabilities ~= nil
  end, 10)
  log("attached", attached)
  if not attached then
    return
  end
  log("lines", vim.api.nvim_buf_line_count(buf))
  -- The rule to edit: the first `when ind_1 ` in the second half of the file.
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local row, col
  for i = math.floor(#lines / 2), #lines do
    local c = lines[i]:find("when ind_1 ", 1, true)
    if c then
      row, col = i - 1, c - 1 + #"when "
      break
    end
  end
  log("edited_line", row)
  -- Neovim 0.9 and later highlight with semantic tokens once they arrive.
  if vim.lsp.semantic_tokens and vim.lsp.semantic_tokens.get_at_pos then
    local tokens_ms = timed(function()
      return #(vim.lsp.semantic_tokens.get_at_pos(buf, row, col) or {}) > 0
    end)
    log("tokens_ms", tokens_ms or "timeout")
    local token = (vim.lsp.semantic_tokens.get_at_pos(buf, row, col) or {})[1]
    log("token_at_edit", token and token.type or "none")
  end
  log("open_ms", math.floor((uv.hrtime() - start) / 1e6))

  for round = 1, 10 do
    -- `ind_1` → `ind_1x`: an unknown name.
    vim.api.nvim_buf_set_text(buf, row, col + #"ind_1", row, col + #"ind_1", { "x" })
    local typo = timed(function()
      return errors(buf) > 0
    end)
    vim.api.nvim_buf_set_text(buf, row, col + #"ind_1", row, col + #"ind_1x", {})
    local fix = timed(function()
      return errors(buf) == 0
    end)
    log("round", round .. " " .. (typo or "timeout") .. " " .. (fix or "timeout"))
  end
  log("errors_left", errors(buf))
end

local ok, err = pcall(run)
if not ok then
  log("error", err)
end
log("done", true)
vim.fn.writefile(out, vim.env.SOT_TEST_OUT)
vim.cmd("qa!")
