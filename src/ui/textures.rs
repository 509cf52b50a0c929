//! The window's textures made from the state's images (the live preview, the shot, the earlier
//! photo), cached so that each image is uploaded to the GPU once.

use egui::{ColorImage, TextureHandle, TextureOptions};

use crate::app::preview::PreviewFrame;

/// Textures made from the state's images, cached so each image is uploaded once.
#[derive(Default)]
pub struct Textures {
    pub preview: Option<TextureHandle>,
    /// Full camera frame size behind the preview, for placing the crop guide.
    pub preview_source: [u32; 2],
    shot: Option<(u64, TextureHandle)>,
    thumbnail: Option<(String, TextureHandle)>,
}

impl Textures {
    pub fn set_preview(&mut self, ctx: &egui::Context, frame: PreviewFrame) {
        let image = ColorImage::from_rgb(frame.size, &frame.rgb);
        self.preview_source = frame.source_size;
        match &mut self.preview {
            Some(texture) => texture.set(image, TextureOptions::LINEAR),
            None => self.preview = Some(ctx.load_texture("preview", image, TextureOptions::LINEAR)),
        }
    }

    pub fn shot(
        &mut self,
        ctx: &egui::Context,
        shot_id: u64,
        image: &image::RgbImage,
    ) -> TextureHandle {
        cache(&mut self.shot, ctx, shot_id, image)
    }

    pub fn thumbnail(
        &mut self,
        ctx: &egui::Context,
        booking_id: &str,
        image: &image::RgbImage,
    ) -> TextureHandle {
        cache(&mut self.thumbnail, ctx, booking_id.to_string(), image)
    }
}

/// The texture for an image identified by `key`, uploaded again only when the key changes.
fn cache<K: PartialEq>(
    slot: &mut Option<(K, TextureHandle)>,
    ctx: &egui::Context,
    key: K,
    image: &image::RgbImage,
) -> TextureHandle {
    if let Some((cached_key, texture)) = slot
        && *cached_key == key
    {
        return texture.clone();
    }
    let (w, h) = image.dimensions();
    let texture = ctx.load_texture(
        "image",
        ColorImage::from_rgb([w as usize, h as usize], image.as_raw()),
        TextureOptions::LINEAR,
    );
    *slot = Some((key, texture.clone()));
    texture
}
