-- Drives headless Neovim (0.7 or later) with the shipped editors/neovim/sot.lua installed as
-- a plugin (tests/lsp.rs sets that up). Writes `key=value` lines to $SOT_TEST_OUT for the
-- Rust test to check; every wait polls with a generous timeout, none sleeps a fixed time.

local out = {}
local function log(key, value)
  table.insert(out, key .. "=" .. (tostring(value):gsub("\n", "\\n")))
end

local TIMEOUT = 20000

local function sot_clients(buf)
  local found = {}
  if vim.lsp.get_clients then
    found = vim.lsp.get_clients({ name = "sot", bufnr = buf })
  elseif buf then
    for _, client in pairs(vim.lsp.buf_get_clients(buf)) do
      table.insert(found, client)
    end
  else
    found = vim.lsp.get_active_clients()
  end
  return vim.tbl_filter(function(c)
    return c.name == "sot"
  end, found)
end

-- The 0-based line and column of the first `text` in the buffer (after `after`, if given).
local function find(buf, text, after)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local from = 1
    if after then
      local a = line:find(after, 1, true)
      from = a and a + #after or #line + 1
    end
    local col = line:find(text, from, true)
    if col then
      return i - 1, col - 1
    end
  end
  error("not in the buffer: " .. text)
end

local function request(buf, method, line, col)
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = col } }
  local answers, err = vim.lsp.buf_request_sync(buf, method, params, TIMEOUT)
  if not answers then
    return nil, tostring(err)
  end
  for _, answer in pairs(answers) do
    if answer.err then
      return nil, vim.inspect(answer.err)
    end
    return answer.result
  end
  return nil, "no answer"
end

local function hover_text(result)
  local contents = result and result.contents
  if type(contents) == "string" then
    return contents
  elseif type(contents) == "table" and contents.value then
    return contents.value
  elseif type(contents) == "table" then
    return table.concat(
      vim.tbl_map(function(c)
        return type(c) == "string" and c or c.value
      end, contents),
      "\n"
    )
  end
  return "none"
end

local function run()
  local workspace = vim.env.SOT_TEST_WORKSPACE
  local main = workspace .. "/protocols/main.sot"
  local other = workspace .. "/protocols/other.sot"
  log("version", tostring(vim.version().major) .. "." .. tostring(vim.version().minor))

  vim.cmd("edit " .. vim.fn.fnameescape(main))
  local buf = vim.api.nvim_get_current_buf()
  log("filetype", vim.bo[buf].filetype)
  log("commentstring", vim.bo[buf].commentstring)

  local attached = vim.wait(TIMEOUT, function()
    local client = sot_clients(buf)[1]
    return client ~= nil and client.server_capabilities ~= nil and vim.bo[buf].omnifunc ~= ""
  end, 50)
  log("attached", attached)
  if not attached then
    return
  end
  local client = sot_clients(buf)[1]
  log("root_dir", client.config.root_dir)
  log("omnifunc", vim.bo[buf].omnifunc)
  local k = vim.fn.maparg("K", "n", false, true)
  log("K", (k.buffer == 1 and "buffer " or "global ") .. tostring(k.desc))

  -- The typo gives a diagnostic.
  local diagnosed = vim.wait(TIMEOUT, function()
    return #vim.diagnostic.get(buf) > 0
  end, 50)
  log("diagnosed", diagnosed)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or "?"
    log("diagnostic", code .. " " .. d.lnum .. " " .. d.col .. " " .. vim.split(d.message, "\n")[1])
  end
  log("lenses_before_fix", #vim.lsp.codelens.get(buf))
  local events = {}
  for _, autocmd in ipairs(vim.api.nvim_get_autocmds({ group = "sot", buffer = buf })) do
    table.insert(events, autocmd.event)
  end
  table.sort(events)
  log("buffer_autocmds", table.concat(events, " "))

  -- Fixing it (an edit of the buffer: Neovim sends it as a range) clears it.
  local line, col = find(buf, "arm_fosa")
  vim.api.nvim_buf_set_text(buf, line, col, line, col + #"arm_fosa", { "arm_fossa" })
  log("fixed", vim.wait(TIMEOUT, function()
    return #vim.diagnostic.get(buf) == 0
  end, 50))

  -- The code lenses come back when the user leaves insert mode (the config's autocommand).
  vim.cmd("doautocmd <nomodeline> InsertLeave")
  log("lensed", vim.wait(TIMEOUT, function()
    return #vim.lsp.codelens.get(buf) > 0
  end, 50))
  for _, lens in ipairs(vim.lsp.codelens.get(buf)) do
    log("lens", lens.range.start.line .. " " .. (lens.command and lens.command.title or "unresolved"))
  end

  -- Hover on the use of `arm_fossa` in the rule shows its doc comment.
  line, col = find(buf, "arm_fossa", "when ")
  local result, err = request(buf, "textDocument/hover", line, col + 2)
  log("hover", err or hover_text(result))

  -- Go to definition of `short_leg`, declared in the file that main.sot `use`s.
  line, col = find(buf, "short_leg", "and ")
  result, err = request(buf, "textDocument/definition", line, col + 1)
  if err then
    log("definition", "error " .. err)
  else
    local location = result and (result.uri and result or result[1])
    if location then
      local range = location.targetSelectionRange or location.range
      log("definition", (location.targetUri or location.uri) .. " " .. range.start.line .. " " .. range.start.character)
    else
      log("definition", "none")
    end
  end
  log("other_uri", vim.uri_from_fname(other))

  -- Rename `short_leg` (declared in other.sot, used by third.sot; neither is open): the
  -- edit reaches both, and `:wall` writes them.
  line, col = find(buf, "short_leg", "and ")
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = line, character = col + 1 },
    newName = "leg_length",
  }
  local answers = vim.lsp.buf_request_sync(buf, "textDocument/rename", params, TIMEOUT) or {}
  local renamed = 0
  for _, answer in pairs(answers) do
    if answer.err then
      log("rename", "error " .. vim.inspect(answer.err))
    elseif answer.result then
      for _ in pairs(answer.result.changes or {}) do
        renamed = renamed + 1
      end
      vim.lsp.util.apply_workspace_edit(answer.result, "utf-16")
    end
  end
  log("renamed_files", renamed)
  vim.cmd("silent wall")
  local third = workspace .. "/protocols/third.sot"
  for key, path in pairs({ other_on_disk = other, third_on_disk = third }) do
    log(key, vim.wait(TIMEOUT, function()
      return table.concat(vim.fn.readfile(path), "\n"):find("leg_length", 1, true) ~= nil
    end, 50))
  end

  -- Opening the other file of the project joins the same server.
  vim.cmd("edit " .. vim.fn.fnameescape(other))
  local other_buf = vim.api.nvim_get_current_buf()
  log("other_attached", vim.wait(TIMEOUT, function()
    return #sot_clients(other_buf) > 0
  end, 50))
  log("servers", #sot_clients(nil))
end

local ok, err = pcall(run)
if not ok then
  log("error", err)
end
log("done", true)
vim.fn.writefile(out, vim.env.SOT_TEST_OUT)
vim.cmd("qa!")
