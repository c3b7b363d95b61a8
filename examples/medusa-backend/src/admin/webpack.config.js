// Medusa Admin's custom webpack configuration hook: `medusa-admin build` calls this with its
// configuration and webpack, and builds what it returns.

// `medusa-admin build` logs compilation errors and exits 0 all the same, leaving a dashboard
// that fails in the browser: exit 1 instead, so that whoever runs the build (`npm start` at the
// repository root) sees the failure and does not keep the build.
class ExitCodeOnErrors {
  apply(compiler) {
    compiler.hooks.done.tap("ExitCodeOnErrors", (stats) => {
      if (stats.hasErrors()) process.exitCode = 1
    })
  }
}

// With MEDUSA_ADMIN_PROGRESS=lines (set by `npm start`, which shows the build's progress
// itself), webpackbar's redrawn bar becomes one plain line per percent, "NN% stage", which a
// parent process can read from a pipe.
function progressLines(webpack) {
  let last = -1
  return new webpack.ProgressPlugin((fraction, stage) => {
    const percent = Math.round(fraction * 100)
    if (percent === last) return
    last = percent
    console.log(`${percent}% ${stage}`)
  })
}

module.exports = function (config, webpack) {
  const lines = process.env.MEDUSA_ADMIN_PROGRESS === "lines"
  const plugins = config.plugins.filter((plugin) => !(lines && plugin.constructor.name === "WebpackBarPlugin"))
  plugins.push(new ExitCodeOnErrors())
  if (lines) plugins.push(progressLines(webpack))
  return { ...config, plugins }
}
