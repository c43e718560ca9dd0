//! Where the vendor's images go: the hub's registry address and the vendor's namespace in it,
//! and, per version, the images its compose file references and whether the hub holds them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The hub's registry as a vendor pushes to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryAddress {
    /// `host[:port]`, what `docker login` and image references name.
    pub host: String,
    /// The vendor's namespace: its organization's slug.
    pub namespace: String,
}

impl RegistryAddress {
    /// `docker login <host>`.
    pub fn login(&self) -> String {
        format!("docker login {}", self.host)
    }
}

/// Where one image of a version comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageSourceView {
    /// In the vendor's namespace of this hub.
    Hub {
        /// `<host>/<slug>/<repo>` without tag.
        repository: String,
        /// The tag or digest written.
        reference: String,
        /// Whether the hub holds it.
        present: bool,
    },
    /// On this hub but in another namespace.
    OtherNamespace {
        /// The namespace written.
        namespace: String,
    },
    /// On another registry.
    Elsewhere {
        /// Its host.
        registry: String,
    },
    /// A compose variable.
    Unresolved,
}

/// One image of a version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageView {
    /// The reference as written.
    pub reference: String,
    /// Where it comes from.
    pub source: ImageSourceView,
}

#[cfg(feature = "ssr")]
pub(crate) fn registry_host(services: &service::Services) -> String {
    services
        .config
        .registry_hosts()
        .into_iter()
        .next()
        .unwrap_or_else(|| "localhost".into())
}

#[cfg(feature = "ssr")]
pub(crate) fn image_view(host: &str, image: service::version_images::VersionImage) -> ImageView {
    use service::version_images::ImageSource as S;
    let source = match image.source {
        S::Hub {
            repository,
            reference,
            present,
        } => ImageSourceView::Hub {
            repository: format!("{host}/{repository}"),
            reference,
            present,
        },
        S::OtherNamespace { namespace } => ImageSourceView::OtherNamespace { namespace },
        S::Elsewhere { registry } => ImageSourceView::Elsewhere { registry },
        S::Unresolved => ImageSourceView::Unresolved,
    };
    ImageView {
        reference: image.reference,
        source,
    }
}

/// The hub's registry address and the signed-in vendor's namespace in it.
#[server(prefix = "/_fn", endpoint = "get_registry_address")]
pub async fn get_registry_address() -> Result<RegistryAddress, AppError> {
    let (services, actor) = super::actor().await?;
    let namespace = service::version_images::namespace(&services, &actor).await?;
    Ok(RegistryAddress {
        host: registry_host(&services),
        namespace,
    })
}
