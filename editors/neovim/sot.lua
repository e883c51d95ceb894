-- sot, the language of chiropractic SOT protocols, in Neovim 0.7 or later: `*.sot` files get
-- the filetype `sot`, and each starts (or joins) the sot language server, `sot lsp` over
-- stdio, for its project: the closest folder with a `.git`, else the file's own folder.
-- In a `sot` buffer: completion with <C-x><C-o> (omnifunc), `K` shows the hover, and the
-- code lenses above each case visit are refreshed on BufEnter, CursorHold and InsertLeave.
--
-- Copy this file to ~/.config/nvim/plugin/sot.lua, or paste it into your init.lua.
-- `sot` must be on your PATH; otherwise write its full path in `cmd`.

local cmd = { "sot", "lsp" }

-- Neovim 0.7 reads `vim.filetype.add` only with `vim.g.do_filetype_lua = 1`, and has neither
-- `vim.lsp.start` nor `vim.fs`: it gets an autocommand and `vim.lsp.start_client`.
local nvim08 = vim.fn.has("nvim-0.8") == 1
local uv = vim.uv or vim.loop
local group = vim.api.nvim_create_augroup("sot", { clear = true })

if nvim08 then
  vim.filetype.add({ extension = { sot = "sot" } })
else
  vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
    group = group,
    pattern = "*.sot",
    command = "setfiletype sot",
  })
end

-- The project's root: the closest folder (from `start` up) holding a `.git` (a folder, or
-- a file in a git worktree), else `start` itself.
local function root_dir(start)
  local dir = start
  while true do
    if uv.fs_stat(dir .. "/.git") then
      return dir
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      return start
    end
    dir = parent
  end
end

local function on_attach(client, buf)
  vim.bo[buf].omnifunc = "v:lua.vim.lsp.omnifunc"
  vim.keymap.set("n", "K", vim.lsp.buf.hover, { buffer = buf, desc = "sot: hover" })
  local codelens = vim.lsp.codelens
  local supports = client.server_capabilities and client.server_capabilities.codeLensProvider
  if codelens and codelens.refresh and supports then
    local function refresh()
      -- 0.10 and later take the buffer; earlier versions refresh the current one.
      codelens.refresh({ bufnr = buf })
    end
    vim.api.nvim_create_autocmd({ "BufEnter", "CursorHold", "InsertLeave" }, {
      group = group,
      buffer = buf,
      callback = refresh,
    })
    refresh()
  end
end

-- Neovim 0.7: one client per root, reused while it runs.
local clients = {}

vim.api.nvim_create_autocmd("FileType", {
  group = group,
  pattern = "sot",
  callback = function(args)
    local buf = args.buf
    vim.bo[buf].commentstring = "// %s"
    local file = vim.api.nvim_buf_get_name(buf)
    local start = file ~= "" and vim.fn.fnamemodify(file, ":p:h") or vim.fn.getcwd()
    local config = { name = "sot", cmd = cmd, root_dir = root_dir(start), on_attach = on_attach }
    if nvim08 then
      vim.lsp.start(config, { bufnr = buf })
      return
    end
    local id = clients[config.root_dir]
    local client = id and vim.lsp.get_client_by_id(id)
    if not client or client.is_stopped() then
      id = vim.lsp.start_client(config)
      clients[config.root_dir] = id
    end
    if id then
      vim.lsp.buf_attach_client(buf, id)
    end
  end,
})
