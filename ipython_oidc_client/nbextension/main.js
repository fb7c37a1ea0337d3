// Kept so that the original package's `jupyter nbextension install/enable --py ipython_oidc_client`
// still succeed. It does nothing: the widget now comes through anywidget's own nbextension.
define([], function () {
  return { load_ipython_extension: function () {} };
});
