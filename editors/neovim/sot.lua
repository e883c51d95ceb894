-- sot, the language of chiropractic SOT protocols, in Neovim (0.8 or later): `*.sot` files get
-- the filetype `sot`, and each starts (or joins) the sot language server, `sot lsp` over
-- stdio. Copy this file to ~/.config/nvim/plugin/sot.lua, or paste it into your init.lua.
-- `sot` must be on your PATH; otherwise write its full path in `cmd`.

vim.filetype.add({ extension = { sot = "sot" } })

vim.api.nvim_create_autocmd("FileType", {
  pattern = "sot",
  callback = function(args)
    vim.bo[args.buf].commentstring = "// %s"
    local file = vim.api.nvim_buf_get_name(args.buf)
    local start = file ~= "" and vim.fs.dirname(file) or vim.fn.getcwd()
    -- The project's root: the closest folder with a .git, else the file's own folder.
    local marker = vim.fs.find({ ".git" }, { path = start, upward = true })[1]
    vim.lsp.start({
      name = "sot",
      cmd = { "sot", "lsp" },
      root_dir = marker and vim.fs.dirname(marker) or start,
    })
  end,
})

-- Neovim 0.7 has neither `vim.lsp.start` nor `vim.fs`, and reads `vim.filetype.add` only with
-- `vim.g.do_filetype_lua = 1`: use this instead of the lines above.
--
-- vim.cmd([[autocmd BufRead,BufNewFile *.sot setfiletype sot]])
-- local sot_client
-- vim.api.nvim_create_autocmd("FileType", {
--   pattern = "sot",
--   callback = function(args)
--     vim.bo[args.buf].commentstring = "// %s"
--     if not (sot_client and vim.lsp.get_client_by_id(sot_client)) then
--       sot_client = vim.lsp.start_client({
--         name = "sot",
--         cmd = { "sot", "lsp" },
--         root_dir = vim.fn.getcwd(),
--       })
--     end
--     if sot_client then
--       vim.lsp.buf_attach_client(args.buf, sot_client)
--     end
--   end,
-- })
